using System.Text.Json;
using FunctionsApp.Diagnostics;
using FunctionsApp.Dispatch;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Replay;

/// <summary>
/// A message read from the dead-letter queue, and how far it can be trusted. An envelope (a JSON
/// object with <c>reason</c> and <c>message_id</c>, as <see cref="QueueDeadLetterSink"/> writes it)
/// is replayed only when its reason is one the app writes, its message id has the shape the queue
/// service gives (a GUID), and its body is either inline or in the blob named after that id.
/// Anything else that is not an envelope is a bare body the platform moved by itself.
/// </summary>
/// <param name="Reason">The envelope's reason code, <see cref="BareBodyReason"/>, or null when it is not one the app writes.</param>
/// <param name="Body">The inline body; null when it is in the blob named after <paramref name="MessageId"/> (or refused).</param>
/// <param name="MessageId">The checked id of the message that was parked; null for a bare body (or refused).</param>
/// <param name="Trace">The envelope's trace context, when it is valid.</param>
/// <param name="Refusal">Why it is not replayed (one of <see cref="ReplayRefusals"/>), or null.</param>
/// <param name="RefusalDetail">The refusal in words that can be logged (caller text escaped).</param>
public sealed record ParkedMessage(string? Reason, string? Body, string? MessageId, MessageTraceContext? Trace, string? Refusal = null, string? RefusalDetail = null)
{
    /// <summary>The reason given to a parked message that has no envelope.</summary>
    public const string BareBodyReason = "platform_poison";

    /// <summary>True for a reason a parked message can carry: one the app writes, or <see cref="BareBodyReason"/>.</summary>
    public static bool IsReason(string? reason) =>
        reason == BareBodyReason || (reason is not null && FailureReasons.IsKnown(reason));

    public static ParkedMessage Read(string text)
    {
        DeadLetterEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(text, DispatchJsonContext.Envelope.DeadLetterEnvelope);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is not { Reason: not null, MessageId: not null })
        {
            return new ParkedMessage(BareBodyReason, text, null, null);
        }

        if (!FailureReasons.IsKnown(envelope.Reason))
        {
            return Refused(null, ReplayRefusals.InvalidReason, $"its reason {CallerText.Quote(envelope.Reason)} is not one the app writes.");
        }

        if (!Guid.TryParseExact(envelope.MessageId, "D", out _))
        {
            return Refused(envelope.Reason, ReplayRefusals.InvalidMessageId, $"its message_id {CallerText.Quote(envelope.MessageId)} is not a queue message id.");
        }

        var inline = envelope.OriginalBody is not null;
        if (inline == (envelope.OriginalBodyBlob is not null)
            || (!inline && envelope.OriginalBodyBlob != QueueDeadLetterSink.BodyBlobName(envelope.MessageId)))
        {
            return Refused(envelope.Reason, ReplayRefusals.InvalidBodyBlob,
                $"it names the body blob {CallerText.Quote(envelope.OriginalBodyBlob)} and an inline body is {(inline ? "present" : "absent")}; " +
                $"the app writes exactly one of them, and names the blob {QueueDeadLetterSink.BodyBlobName(envelope.MessageId)}.");
        }

        // The trace context is checked like one in a message: a bad one is left behind.
        var trace = envelope.Traceparent is { } traceparent && MessageTraceContext.IsTraceparent(traceparent)
            ? new MessageTraceContext(traceparent, envelope.Tracestate is { } state && MessageTraceContext.IsTracestate(state) ? state : null)
            : null;
        return new ParkedMessage(envelope.Reason, envelope.OriginalBody, envelope.MessageId, trace);
    }

    private static ParkedMessage Refused(string? reason, string refusal, string detail) =>
        new(reason, null, null, null, refusal, detail);
}
