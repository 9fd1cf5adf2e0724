using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Classifies every message: handled; permanently failed (dead-lettered with a reason, not
/// retried); transiently failed (rethrown, so the platform retries it); or failed on the last
/// attempt host.json allows (dead-lettered with the exception as its reason, where the platform
/// would have parked the bare body). Nothing is swallowed.
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
                await ParkAsync(message, action, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= options.Value.MaxDequeueCount)
        {
            // The platform would now move the bare body to the poison queue. Parking it here keeps
            // the reason with it. If this write fails too, its exception propagates and the
            // platform's own poison move still keeps the message.
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            await ParkAsync(message, action, FailureReasons.RetriesExhausted,
                $"Failed on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount}: {ex.GetType().FullName}: {ex.Message}",
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A handler's I/O failure, or a dead-letter write that failed: the message stays in the
            // queue and the platform retries it.
            DispatchLog.MessageFailed(logger, ex, message.MessageId, message.DequeueCount);
            throw;
        }
    }

    private async Task ParkAsync(ReceivedMessage message, string? action, string reason, string description, CancellationToken cancellationToken)
    {
        var envelope = new DeadLetterEnvelope(reason, description, message.MessageId, message.DequeueCount, time.GetUtcNow(), action, message.Body);
        await deadLetters.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        DispatchLog.MessageDeadLettered(logger, message.MessageId, reason, description, options.Value.DeadLetterQueueName);
    }
}
