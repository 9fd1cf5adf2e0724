using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Classifies every message: handled, permanently failed (dead-lettered with a reason, not
/// retried) or transiently failed (rethrown, so the platform retries it and finally moves it to the
/// poison queue). Nothing is swallowed.
/// </summary>
public sealed class WorkItemDispatcher(
    WorkItemParser parser,
    IServiceProvider services,
    IDeadLetterSink deadLetters,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<WorkItemDispatcher> logger) : IWorkItemDispatcher
{
    public async Task DispatchAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var messageScope = logger.BeginMessageScope(message);
        string? action = null;
        try
        {
            try
            {
                using var workItem = parser.Parse(message.Body);
                action = workItem.Action;
                using var actionScope = logger.BeginActionScope(action);
                var route = services.GetKeyedService<IActionRoute>(action)
                    ?? throw new PermanentFailureException(FailureReasons.UnknownAction, $"The action '{action}' is not known.");
                await route.RouteAsync(workItem.Root, new WorkItemContext(message.MessageId, message.DequeueCount), services, cancellationToken)
                    .ConfigureAwait(false);
                DispatchLog.MessageProcessed(logger, action, message.MessageId, message.DequeueCount);
            }
            catch (PermanentFailureException failure)
            {
                var envelope = new DeadLetterEnvelope(
                    failure.Reason, failure.Message, message.MessageId, message.DequeueCount, time.GetUtcNow(), action, message.Body);
                await deadLetters.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
                DispatchLog.MessageDeadLettered(logger, message.MessageId, failure.Reason, failure.Message, options.Value.DeadLetterQueueName);
            }
        }
        catch (Exception ex)
        {
            // A handler's I/O failure, or a dead-letter write that failed: the message stays in the
            // queue and the platform retries it.
            DispatchLog.MessageFailed(logger, ex, message.MessageId, message.DequeueCount);
            throw;
        }
    }
}
