using System.Diagnostics;
using System.Text.Json;
using FunctionsApp.Diagnostics;
using FunctionsApp.Json;

namespace FunctionsApp.Telemetry;

/// <summary>
/// A W3C trace context carried inside a message: its <c>traceparent</c> and optional
/// <c>tracestate</c> fields. Queue messages have no headers, so the context travels in the body,
/// under the names the W3C headers have.
/// </summary>
/// <param name="Traceparent">A valid W3C traceparent (version 00: <c>00-&lt;trace id&gt;-&lt;parent id&gt;-&lt;flags&gt;</c>).</param>
/// <param name="Tracestate">The vendor state that goes with it, or null.</param>
public sealed record MessageTraceContext(string Traceparent, string? Tracestate)
{
    public const string TraceparentField = "traceparent";
    public const string TracestateField = "tracestate";

    /// <summary>The W3C limit a tracestate may be cut at; longer ones are dropped here rather than cut.</summary>
    public const int MaxTracestateLength = 512;

    /// <summary>The context as a remote parent for a span.</summary>
    public ActivityContext Parent => ActivityContext.TryParse(Traceparent, Tracestate, isRemote: true, out var parent)
        ? parent
        : throw new InvalidOperationException("The traceparent was checked when the context was read; .NET does not accept it.");

    /// <summary>
    /// Reads the fields of a message object. A message without <c>traceparent</c> gives null; a
    /// <c>traceparent</c> or <c>tracestate</c> that is not valid is ignored (null, or the context
    /// without its state), and <paramref name="problem"/> says why in words that can be logged.
    /// A bad trace context never fails the message: it is the producer's telemetry, not its work.
    /// </summary>
    public static MessageTraceContext? Read(JsonElement message, out string? problem)
    {
        problem = null;
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty(TraceparentField, out var parentField))
        {
            return null;
        }

        if (!TryText(parentField, out var traceparent) || !IsTraceparent(traceparent))
        {
            problem = $"'{TraceparentField}' is not a W3C traceparent ({Describe(parentField)})";
            return null;
        }

        string? tracestate = null;
        if (message.TryGetProperty(TracestateField, out var stateField) && stateField.ValueKind != JsonValueKind.Null)
        {
            if (TryText(stateField, out var state) && IsTracestate(state))
            {
                tracestate = state;
            }
            else
            {
                problem = $"'{TracestateField}' is not a W3C tracestate of at most {MaxTracestateLength} characters ({Describe(stateField)}); the traceparent is used without it";
            }
        }

        return new MessageTraceContext(traceparent, tracestate);
    }

    /// <summary>
    /// The context to hand on from here: the current span's when there is one (so what follows
    /// is its child), else the one the message came with, else null.
    /// </summary>
    public static MessageTraceContext? Onward(MessageTraceContext? received) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } current
            ? new MessageTraceContext(id, current.TraceStateString is { Length: > 0 } state && IsTracestate(state) ? state : null)
            : received;

    /// <summary>
    /// Version 00 exactly as W3C Trace Context writes it: 55 characters, lowercase hex, trace id
    /// and parent id not all zeros. A later version's longer form is not accepted: nothing sends it.
    /// </summary>
    public static bool IsTraceparent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 55 || !text.StartsWith("00-", StringComparison.Ordinal) || text[35] != '-' || text[52] != '-')
        {
            return false;
        }

        var traceId = text.AsSpan(3, 32);
        var parentId = text.AsSpan(36, 16);
        var flags = text.AsSpan(53, 2);
        return IsLowerHex(traceId) && IsLowerHex(parentId) && IsLowerHex(flags)
            && traceId.ContainsAnyExcept('0') && parentId.ContainsAnyExcept('0');
    }

    /// <summary>
    /// A tracestate as W3C allows it, checked loosely: at most 512 characters of printable ASCII.
    /// Its list members are not parsed; vendors read their own.
    /// </summary>
    public static bool IsTracestate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= MaxTracestateLength && text.All(c => c is >= ' ' and <= '~');
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryText(JsonElement field, out string text)
    {
        text = "";
        if (field.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        if (!JsonText.TryGetString(field, out var read))
        {
            return false;
        }

        text = read;
        return true;
    }

    private static string Describe(JsonElement field) => field.ValueKind == JsonValueKind.String
        ? "it is " + CallerText.Quote(TryText(field, out var text) ? text : "(not Unicode text)", 80)
        : "it is a JSON " + field.ValueKind.ToString().ToLowerInvariant();
}
