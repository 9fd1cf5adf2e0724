using System.Text;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Json;
using FunctionsApp.Notifications;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Replay;

/// <summary>
/// What a replay sends back to the work queue: the parked body, with members appended to a JSON
/// object (plain, or base64 of one, which goes back base64) where the body lacks them:
/// <list type="bullet">
/// <item>for <c>send_notification</c> without <c>idempotency_key</c>, the id of the message that was
/// parked, which was its effective key: the replayed copy (a new queue message with a new id) then
/// has the same key, so a notification replayed any number of times is sent once;</item>
/// <item>the trace context it was handled in, so the replayed message continues the trace its failure is in.</item>
/// </list>
/// Every other body goes back byte for byte. Near the queue's size limit the trace context is left
/// out first, then the key.
/// </summary>
public static class ReplayedBody
{
    /// <summary>The body to send for a parked message.</summary>
    /// <param name="body">The parked body.</param>
    /// <param name="trace">The trace context of the envelope, if it had a valid one.</param>
    /// <param name="parkedMessageId">The (checked) id of the message that was parked; null for a bare body.</param>
    public static string For(string body, MessageTraceContext? trace, string? parkedMessageId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if ((trace is null && parkedMessageId is null) || !TryReadObject(body, out var json, out var base64))
        {
            return body;
        }

        using var document = json.Document;
        var root = document.RootElement;
        var key = parkedMessageId is not null && IsNotificationWithoutKey(root)
            ? Member(SendNotificationAction.IdempotencyKeyField, parkedMessageId)
            : null;
        var context = trace is not null && !root.TryGetProperty(MessageTraceContext.TraceparentField, out _)
            ? Member(MessageTraceContext.TraceparentField, trace.Traceparent)
                + (trace.Tracestate is not null && !root.TryGetProperty(MessageTraceContext.TracestateField, out _)
                    ? "," + Member(MessageTraceContext.TracestateField, trace.Tracestate)
                    : "")
            : null;
        var isEmpty = !root.EnumerateObject().Any();

        foreach (var members in new[] { Join(key, context), key })
        {
            if (members is null)
            {
                continue;
            }

            // Appended as the object's last members: the body's own text stays as it was.
            var end = json.Text.LastIndexOf('}');
            var extended = string.Concat(json.Text.AsSpan(0, end), isEmpty ? "" : ",", members, json.Text.AsSpan(end));
            var replayed = base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(extended)) : extended;
            if (Encoding.UTF8.GetByteCount(replayed) <= DispatchOptions.QueueMessageLimitBytes)
            {
                return replayed;
            }
        }

        return body;
    }

    private static string? Join(string? first, string? second) =>
        first is null ? second : second is null ? first : first + "," + second;

    // A key that is present but null or empty cannot be given a value without writing the property
    // twice (which the parser refuses): such a notification is keyed by its new message id.
    private static bool IsNotificationWithoutKey(JsonElement root) =>
        root.TryGetProperty("action", out var action)
        && action.ValueKind == JsonValueKind.String
        && action.ValueEquals(SendNotificationAction.Name)
        && !root.TryGetProperty(SendNotificationAction.IdempotencyKeyField, out _);

    private static string Member(string name, string value) => $"\"{name}\":\"{JsonEncodedText.Encode(value).Value}\"";

    /// <summary>True when the body is a JSON object, as text or as base64 of UTF-8 text.</summary>
    private static bool TryReadObject(string body, out (string Text, JsonDocument Document) json, out bool base64)
    {
        base64 = false;
        if (TryParseObject(body, out json))
        {
            return true;
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(body));
            base64 = true;
            return !text.StartsWith('\uFEFF') && TryParseObject(text, out json);
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            // Neither JSON nor base64 of text: it goes back as it was.
            return false;
        }
    }

    private static bool TryParseObject(string text, out (string Text, JsonDocument Document) json)
    {
        json = default;
        try
        {
            var document = StrictJson.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return false;
            }

            json = (text, document);
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
