using FunctionsApp.Diagnostics;
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
/// <param name="parser">Reads the message text.</param>
/// <param name="services">The invocation's scope, where each action's route is registered under the action's name.</param>
/// <param name="deadLetters">Where messages that can never succeed are parked.</param>
/// <param name="time">The clock of the envelopes.</param>
/// <param name="options">The dispatch settings.</param>
/// <param name="logger">The dispatcher's log.</param>
public sealed class WorkItemDispatcher(
    WorkItemParser parser,
    IServiceProvider services,
    IDeadLetterSink deadLetters,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<WorkItemDispatcher> logger)
{
    /// <summary>How much of an exception's message a retries_exhausted description keeps.</summary>
    public const int MaxExceptionMessageLength = 500;

    /// <summary>
    /// Completes when the message was handled or dead-lettered; throws when it should be retried.
    /// </summary>
    /// <param name="message">The message as the queue handed it out.</param>
    /// <param name="cancellationToken">The invocation's token: the host cancels it when it stops.</param>
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
                action = CallerText.Escape(workItem.Action);
                using var actionScope = logger.BeginActionScope(action);
                var route = services.GetKeyedService<IActionRoute>(workItem.Action)
                    ?? throw new PermanentFailureException(FailureReasons.UnknownAction, $"The action {CallerText.Quote(workItem.Action)} is not known.");
                await route.RouteAsync(workItem.Root, new WorkItemContext(message.MessageId, message.DequeueCount), cancellationToken)
                    .ConfigureAwait(false);
                DispatchLog.MessageProcessed(logger, action, message.MessageId, message.DequeueCount);
            }
            catch (PermanentFailureException failure)
            {
                await ParkAsync(message, action, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // The host cancelled this invocation (it is stopping): not the message's fault, so it is
            // neither parked nor counted as a failure; it stays in the queue for the next host. Only
            // the invocation's own token decides this: a handler's own time-out (an HttpClient's
            // TaskCanceledException) is a failure like any other, below.
            DispatchLog.MessageCancelled(logger, ex, message.MessageId, message.DequeueCount);
            throw;
        }
        catch (Exception ex) when (message.DequeueCount >= options.Value.MaxDequeueCount)
        {
            // The platform would now move the bare body to the poison queue. Parking it here keeps
            // the reason with it. If this write fails too, its exception propagates and the
            // platform's own poison move still keeps the message.
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            await ParkAsync(message, action, FailureReasons.RetriesExhausted,
                $"Failed on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount}: {ex.GetType().FullName}: " +
                CallerText.Escape(ex.Message, MaxExceptionMessageLength),
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

    // Descriptions are built from our own words and caller text passed through CallerText, so they
    // can be logged and stored as they are.
    private async Task ParkAsync(ReceivedMessage message, string? action, string reason, string description, CancellationToken cancellationToken)
    {
        var envelope = new DeadLetterEnvelope(reason, description, message.MessageId, message.DequeueCount, time.GetUtcNow(), action, message.Body);
        await deadLetters.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        DispatchLog.MessageDeadLettered(logger, message.MessageId, reason, description, options.Value.DeadLetterQueueName);
    }
}
