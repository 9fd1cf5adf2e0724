using System.Text;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Json;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Replay;

/// <summary>
/// What a replay sends back to the work queue: the parked body, with the trace context it was
/// handled in added when the body is a JSON object that carries none, so the replayed message
/// continues the trace its failure is in. Every other body (and one the context would push over
/// the queue's size limit) goes back byte for byte.
/// </summary>
public static class ReplayedBody
{
    public static string WithTraceContext(string body, MessageTraceContext? trace)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (trace is null || !TryReadObject(body, out var isEmpty, out var hasTraceparent, out var hasTracestate) || hasTraceparent)
        {
            return body;
        }

        // Appended as the object's last members: the body's own text stays as it was.
        var members = Member(MessageTraceContext.TraceparentField, trace.Traceparent);
        if (trace.Tracestate is not null && !hasTracestate)
        {
            members += "," + Member(MessageTraceContext.TracestateField, trace.Tracestate);
        }

        var end = body.LastIndexOf('}');
        var replayed = string.Concat(body.AsSpan(0, end), isEmpty ? "" : ",", members, body.AsSpan(end));
        // A body near the queue's size limit goes back without it rather than not at all.
        return Encoding.UTF8.GetByteCount(replayed) <= DispatchOptions.QueueMessageLimitBytes ? replayed : body;
    }

    private static string Member(string name, string value) => $"\"{name}\":\"{JsonEncodedText.Encode(value).Value}\"";

    private static bool TryReadObject(string body, out bool isEmpty, out bool hasTraceparent, out bool hasTracestate)
    {
        isEmpty = hasTraceparent = hasTracestate = false;
        try
        {
            using var document = StrictJson.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            isEmpty = !root.EnumerateObject().Any();
            hasTraceparent = root.TryGetProperty(MessageTraceContext.TraceparentField, out _);
            hasTracestate = root.TryGetProperty(MessageTraceContext.TracestateField, out _);
            return true;
        }
        catch (JsonException)
        {
            // Not JSON, or JSON with a property twice (DuplicatePropertyException is a
            // JsonException): it goes back as it was, and fails again for the same reason.
            return false;
        }
    }
}
