using System.Diagnostics;
using FunctionsApp.Diagnostics;
using FunctionsApp.Telemetry;
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
/// <param name="metrics">The app's counters and the handler duration.</param>
/// <param name="logger">The dispatcher's log.</param>
public sealed class WorkItemDispatcher(
    WorkItemParser parser,
    IServiceProvider services,
    IDeadLetterSink deadLetters,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    AppMetrics metrics,
    ILogger<WorkItemDispatcher> logger)
{
    /// <summary>How much of an exception's message a retries_exhausted description keeps.</summary>
    public const int MaxExceptionMessageLength = 500;

    /// <summary>How long parking may take after the host cancelled the last attempt.</summary>
    public static readonly TimeSpan ParkAfterCancelTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How much of an action the dispatch span's tag keeps (actions are caller text).</summary>
    public const int MaxActionTagLength = 100;

    /// <summary>
    /// Completes when the message was handled or dead-lettered; throws when it should be retried.
    /// </summary>
    /// <param name="message">The message as the queue handed it out.</param>
    /// <param name="cancellationToken">The invocation's token: the host cancels it when it stops.</param>
    public async Task DispatchAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var messageScope = logger.BeginMessageScope(message);

        // Read before the span starts, because the span continues the trace the message carries.
        ParsedWorkItem? workItem = null;
        PermanentFailureException? unreadable = null;
        try
        {
            workItem = parser.Parse(message.Body);
        }
        catch (PermanentFailureException failure)
        {
            unreadable = failure;
        }

        using var parsed = workItem;
        var trace = workItem is null ? null : ReadTraceContext(workItem);
        var action = workItem is null ? null : CallerText.Escape(workItem.Action);
        // Metrics name known actions only: an unknown one is caller text.
        string? metricAction = null;

        using var span = StartSpan(message, trace, action);
        // Open for the whole attempt, so the failure events (1001-1003) carry the action too.
        using var actionScope = action is null ? null : logger.BeginActionScope(action);
        try
        {
            var failure = unreadable;
            if (workItem is not null)
            {
                var route = services.GetKeyedService<IActionRoute>(workItem.Action);
                metricAction = route is null ? AppTelemetry.OtherAction : workItem.Action;
                failure = route is null
                    ? new PermanentFailureException(FailureReasons.UnknownAction, $"The action {CallerText.Quote(workItem.Action)} is not known.")
                    : await RouteAsync(route, metricAction!, workItem, message, trace, cancellationToken).ConfigureAwait(false);
            }

            if (failure is null)
            {
                DispatchLog.MessageProcessed(logger, action!, message.MessageId, message.DequeueCount);
                metrics.Processed(metricAction!);
                span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Processed);
            }
            else
            {
                await ParkAsync(message, action, metricAction, failure.Reason, failure.Message, trace, span, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && message.DequeueCount < options.Value.MaxDequeueCount)
        {
            // The host cancelled this invocation (it is stopping, or the attempt ran past
            // functionTimeout): not the message's fault, so it is not parked; it comes back for
            // another attempt. Only the invocation's own token decides this: a handler's own
            // time-out (an HttpClient's TaskCanceledException) is a failure like any other, below.
            DispatchLog.MessageCancelled(logger, ex, message.MessageId, message.DequeueCount);
            span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Cancelled);
            throw;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled on the last attempt: the platform would now move the bare body to the poison
            // queue, with no reason and the service's 7-day time-to-live. Parked here instead, with
            // its reason. The invocation's token is cancelled, so the write gets one of its own,
            // bounded so that a stopping host is not held up.
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            metrics.RetriesExhausted(metricAction);
            span?.AddException(ex);
            using var parking = new CancellationTokenSource(ParkAfterCancelTimeout);
            await ParkAsync(message, action, metricAction, FailureReasons.RetriesExhausted,
                $"Cancelled by the host on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount} " +
                "(the attempt ran past functionTimeout, or the host was stopping).",
                trace, span, parking.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (message.DequeueCount >= options.Value.MaxDequeueCount)
        {
            // The platform would now move the bare body to the poison queue. Parking it here keeps
            // the reason with it. If this write fails too, its exception propagates and the
            // platform's own poison move still keeps the message.
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            metrics.FailedAttempt(metricAction, ex);
            metrics.RetriesExhausted(metricAction);
            span?.AddException(ex);
            await ParkAsync(message, action, metricAction, FailureReasons.RetriesExhausted,
                $"Failed on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount}: {ex.GetType().FullName}: " +
                CallerText.Escape(ex.Message, MaxExceptionMessageLength),
                trace, span, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A handler's I/O failure, or a dead-letter write that failed: the message stays in the
            // queue and the platform retries it.
            DispatchLog.MessageFailed(logger, ex, message.MessageId, message.DequeueCount);
            metrics.FailedAttempt(metricAction, ex);
            span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Failed)
                .SetTag(AppTelemetry.ErrorTypeTag, ex.GetType().FullName)
                .SetStatus(ActivityStatusCode.Error, ex.GetType().Name)
                .AddException(ex);
            throw;
        }
    }

    /// <summary>Runs the action's route; returns the permanent failure it ends in, or null when it succeeded.</summary>
    private async Task<PermanentFailureException?> RouteAsync(
        IActionRoute route, string metricAction, ParsedWorkItem workItem, ReceivedMessage message, MessageTraceContext? trace, CancellationToken cancellationToken)
    {
        var started = metrics.TimesHandlers ? Stopwatch.GetTimestamp() : 0;
        var outcome = AppTelemetry.Outcomes.Failed;
        try
        {
            await route.RouteAsync(workItem.Root, new WorkItemContext(message.MessageId, message.DequeueCount, trace), cancellationToken)
                .ConfigureAwait(false);
            outcome = AppTelemetry.Outcomes.Processed;
            return null;
        }
        catch (PermanentFailureException failure)
        {
            outcome = AppTelemetry.Outcomes.DeadLettered;
            return failure;
        }
        finally
        {
            if (started != 0)
            {
                metrics.HandlerRan(metricAction, outcome, started);
            }
        }
    }

    /// <summary>
    /// The dispatch span, a consumer span named as the messaging conventions name one. With a
    /// trace context in the message it continues that trace: an operator who looks up the
    /// request that enqueued the message finds its processing in the same trace, and a link keeps
    /// the way to the invocation that ran it. Without one it is a child of the invocation.
    /// </summary>
    private Activity? StartSpan(ReceivedMessage message, MessageTraceContext? trace, string? action)
    {
        if (!AppTelemetry.Source.HasListeners())
        {
            return null;
        }

        var queue = options.Value.WorkItemsQueueName;
        var invocation = Activity.Current?.Context;
        var span = trace is null
            ? AppTelemetry.Source.StartActivity($"{AppTelemetry.ProcessOperation} {queue}", ActivityKind.Consumer)
            : AppTelemetry.Source.StartActivity($"{AppTelemetry.ProcessOperation} {queue}", ActivityKind.Consumer, trace.Parent,
                links: invocation is { } context ? [new ActivityLink(context)] : null);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(AppTelemetry.MessagingSystemTag, AppTelemetry.MessagingSystem)
                .SetTag(AppTelemetry.OperationNameTag, AppTelemetry.ProcessOperation)
                .SetTag(AppTelemetry.OperationTypeTag, AppTelemetry.ProcessOperation)
                .SetTag(AppTelemetry.DestinationTag, queue)
                .SetTag(AppTelemetry.MessageIdTag, message.MessageId)
                .SetTag(AppTelemetry.DequeueCountTag, message.DequeueCount);
            if (action is not null)
            {
                span.SetTag(AppTelemetry.ActionTag, CallerText.Escape(action, MaxActionTagLength));
            }
        }

        return span;
    }

    private MessageTraceContext? ReadTraceContext(ParsedWorkItem workItem)
    {
        var trace = MessageTraceContext.Read(workItem.Root, out var problem);
        if (problem is not null)
        {
            DispatchLog.TraceContextIgnored(logger, problem);
        }

        return trace;
    }

    // Descriptions are built from our own words and caller text passed through CallerText, so they
    // can be logged and stored as they are. The envelope keeps the trace the message was handled
    // in (this span's, else the one it came with), so a replay can rejoin it.
    private async Task ParkAsync(
        ReceivedMessage message, string? action, string? metricAction, string reason, string description,
        MessageTraceContext? trace, Activity? span, CancellationToken cancellationToken)
    {
        var onward = MessageTraceContext.Onward(trace);
        var envelope = new DeadLetterEnvelope(reason, description, message.MessageId, message.DequeueCount, time.GetUtcNow(), action, message.Body)
        {
            Traceparent = onward?.Traceparent,
            Tracestate = onward?.Tracestate,
        };
        await deadLetters.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        DispatchLog.MessageDeadLettered(logger, message.MessageId, reason, description, options.Value.DeadLetterQueueName);
        metrics.DeadLettered(metricAction, reason);
        span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.DeadLettered)
            .SetTag(AppTelemetry.ReasonTag, reason)
            .SetTag(AppTelemetry.ErrorTypeTag, reason)
            .SetStatus(ActivityStatusCode.Error, reason);
    }
}
