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
/// <param name="services">The invocation's scope, where each action's runner is registered under the action's name.</param>
/// <param name="deadLetters">Where messages that can never succeed are parked.</param>
/// <param name="time">The clock of the envelopes.</param>
/// <param name="options">The dispatch settings.</param>
/// <param name="metrics">The app's counters and the handler duration.</param>
/// <param name="logger">The dispatcher's log.</param>
public sealed class ActionDispatcher(
    ActionParser parser,
    IServiceProvider services,
    IDeadLetterSink deadLetters,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    AppMetrics metrics,
    ILogger<ActionDispatcher> logger)
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
        using var attempt = new Attempt(message);
        try
        {
            try
            {
                var parsed = Begin(attempt);
                await RunAsync(attempt, parsed, cancellationToken).ConfigureAwait(false);
                DispatchLog.MessageProcessed(logger, attempt.Action!, message.MessageId, message.DequeueCount);
                metrics.Processed(attempt.MetricAction!);
                attempt.Span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Processed);
            }
            catch (PermanentFailureException failure)
            {
                // The one place a permanent failure is caught, wherever it was found: in the text,
                // the envelope, the action's fields or its handler. A message that could not be
                // read has no span yet (its trace context was unknown): it gets one now, so its
                // parking is traced too.
                EndHandler(attempt, AppTelemetry.Outcomes.DeadLettered);
                attempt.Span ??= StartSpan(message, null, null);
                await ParkAsync(attempt, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && message.DequeueCount < options.Value.MaxDequeueCount)
        {
            // The host cancelled this invocation (it is stopping, or the attempt ran past
            // functionTimeout): not the message's fault, so it is not parked; it comes back for
            // another attempt. Only the invocation's own token decides this: a handler's own
            // time-out (an HttpClient's TaskCanceledException) is a failure like any other, below.
            EndHandler(attempt, AppTelemetry.Outcomes.Failed);
            DispatchLog.MessageCancelled(logger, ex, message.MessageId, message.DequeueCount);
            attempt.Span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Cancelled);
            throw;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled on the last attempt: the platform would now move the bare body to the poison
            // queue, with no reason and the service's 7-day time-to-live. Parked here instead, with
            // its reason. The invocation's token is cancelled, so the write gets one of its own,
            // bounded so that a stopping host is not held up.
            EndHandler(attempt, AppTelemetry.Outcomes.Failed);
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            metrics.RetriesExhausted(attempt.MetricAction);
            attempt.Span?.AddException(ex);
            using var parking = new CancellationTokenSource(ParkAfterCancelTimeout);
            await ParkAsync(attempt, FailureReasons.RetriesExhausted,
                $"Cancelled by the host on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount} " +
                "(the attempt ran past functionTimeout, or the host was stopping).",
                parking.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (message.DequeueCount >= options.Value.MaxDequeueCount)
        {
            // The platform would now move the bare body to the poison queue. Parking it here keeps
            // the reason with it. If this write fails too, its exception propagates and the
            // platform's own poison move still keeps the message.
            EndHandler(attempt, AppTelemetry.Outcomes.Failed);
            DispatchLog.RetriesExhausted(logger, ex, message.MessageId, message.DequeueCount);
            metrics.FailedAttempt(attempt.MetricAction, ex);
            metrics.RetriesExhausted(attempt.MetricAction);
            attempt.Span?.AddException(ex);
            await ParkAsync(attempt, FailureReasons.RetriesExhausted,
                $"Failed on attempt {message.DequeueCount} of {options.Value.MaxDequeueCount}: {ex.GetType().FullName}: " +
                CallerText.Escape(ex.Message, MaxExceptionMessageLength),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A handler's I/O failure, or a dead-letter write that failed: the message stays in the
            // queue and the platform retries it.
            EndHandler(attempt, AppTelemetry.Outcomes.Failed);
            DispatchLog.MessageFailed(logger, ex, message.MessageId, message.DequeueCount);
            metrics.FailedAttempt(attempt.MetricAction, ex);
            attempt.Span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.Failed)
                .SetTag(AppTelemetry.ErrorTypeTag, ex.GetType().FullName)
                .SetStatus(ActivityStatusCode.Error, ex.GetType().Name)
                .AddException(ex);
            throw;
        }
    }

    /// <summary>
    /// Parses the message, once, and opens the attempt's span and action scope; throws
    /// <see cref="PermanentFailureException"/> when the message is not a JSON object with an action.
    /// Not async on purpose: the span and the scope it sets as current must stay current in
    /// <see cref="DispatchAsync"/>, where the failure events and the parking happen.
    /// </summary>
    private ActionMessage Begin(Attempt attempt)
    {
        var message = attempt.Message;
        // Read before the span starts, because the span continues the trace the message carries.
        var parsed = attempt.Parsed = parser.Parse(message.Body);
        attempt.Trace = ReadTraceContext(parsed);
        attempt.Action = CallerText.Escape(parsed.Action);
        attempt.Span = StartSpan(message, attempt.Trace, attempt.Action);
        // Open for the whole attempt, so the failure events (1001-1003) carry the action too.
        attempt.ActionScope = logger.BeginActionScope(attempt.Action);
        return parsed;
    }

    /// <summary>
    /// Runs the action's handler, through the runner registered under its name; throws
    /// <see cref="PermanentFailureException"/> for an unknown action or one its fields refuse.
    /// </summary>
    private async Task RunAsync(Attempt attempt, ActionMessage parsed, CancellationToken cancellationToken)
    {
        var runner = services.GetKeyedService<IActionRunner>(parsed.Action);
        // Metrics name known actions only: an unknown one is caller text.
        attempt.MetricAction = runner is null ? AppTelemetry.OtherAction : parsed.Action;
        if (runner is null)
        {
            throw new PermanentFailureException(FailureReasons.UnknownAction, $"The action {CallerText.Quote(parsed.Action)} is not known.");
        }

        attempt.HandlerStarted = metrics.TimesHandlers ? Stopwatch.GetTimestamp() : 0;
        await runner.RunAsync(parsed, new ActionContext(attempt.Message.MessageId, attempt.Message.DequeueCount, attempt.Trace), cancellationToken)
            .ConfigureAwait(false);
        EndHandler(attempt, AppTelemetry.Outcomes.Processed);
    }

    /// <summary>Records how the action's reading and handling ended, once, if it started.</summary>
    private void EndHandler(Attempt attempt, string outcome)
    {
        if (attempt.HandlerStarted != 0)
        {
            metrics.HandlerRan(attempt.MetricAction!, outcome, attempt.HandlerStarted);
            attempt.HandlerStarted = 0;
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

    private MessageTraceContext? ReadTraceContext(ActionMessage message)
    {
        var trace = MessageTraceContext.Read(message.Root, out var problem);
        if (problem is not null)
        {
            DispatchLog.TraceContextIgnored(logger, problem);
        }

        return trace;
    }

    // Descriptions are built from our own words and caller text passed through CallerText, so they
    // can be logged and stored as they are. The envelope keeps the trace the message was handled
    // in (this span's, else the one it came with), so a replay can rejoin it.
    private async Task ParkAsync(Attempt attempt, string reason, string description, CancellationToken cancellationToken)
    {
        var message = attempt.Message;
        var onward = MessageTraceContext.Onward(attempt.Trace);
        var envelope = new DeadLetterEnvelope(reason, description, message.MessageId, message.DequeueCount, time.GetUtcNow(), attempt.Action, message.Body)
        {
            Traceparent = onward?.Traceparent,
            Tracestate = onward?.Tracestate,
        };
        await deadLetters.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        DispatchLog.MessageDeadLettered(logger, message.MessageId, reason, description, options.Value.DeadLetterQueueName);
        metrics.DeadLettered(attempt.MetricAction, reason);
        attempt.Span?.SetTag(AppTelemetry.OutcomeTag, AppTelemetry.Outcomes.DeadLettered)
            .SetTag(AppTelemetry.ReasonTag, reason)
            .SetTag(AppTelemetry.ErrorTypeTag, reason)
            .SetStatus(ActivityStatusCode.Error, reason);
    }

    /// <summary>What one attempt has learnt so far; it ends the span and scope it opened, and frees the parsed message.</summary>
    private sealed class Attempt(ReceivedMessage message) : IDisposable
    {
        public ReceivedMessage Message { get; } = message;

        public ActionMessage? Parsed { get; set; }

        public MessageTraceContext? Trace { get; set; }

        /// <summary>The action, escaped for logs and envelopes; null until the message was parsed.</summary>
        public string? Action { get; set; }

        /// <summary>The action as metrics name it (a known one, or <see cref="AppTelemetry.OtherAction"/>).</summary>
        public string? MetricAction { get; set; }

        public Activity? Span { get; set; }

        public IDisposable? ActionScope { get; set; }

        /// <summary>When the action's runner started; 0 when it did not, or when handler timing is off.</summary>
        public long HandlerStarted { get; set; }

        public void Dispose()
        {
            ActionScope?.Dispose();
            Span?.Dispose();
            Parsed?.Dispose();
        }
    }
}
