using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using FunctionsApp.Diagnostics;
using FunctionsApp.Json;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Parses a queue message's text, once, into a JSON object with an action, or says precisely why it cannot.
/// </summary>
/// <remarks>
/// host.json sets <c>messageEncoding</c> to <c>none</c>, so the text arrives exactly as it was sent
/// and both encodings users send are accepted here: plain JSON (the Azure SDK's and the az CLI's
/// default) and base64 of it (Storage Explorer's and older SDKs' default), also wrapped in lines
/// as coreutils' <c>base64</c> and Python's <c>base64.encodebytes</c> write it. The two cannot be
/// confused: text that parses as JSON is taken as JSON, and a base64 string never does, apart from
/// a few words such as <c>null</c> that are not objects anyway. A UTF-8 byte order mark in front
/// of either (as Windows editors save files) is skipped.
/// </remarks>
public sealed class ActionParser(IOptions<DispatchOptions> options)
{
    /// <summary>How much of the JSON reader's error a description keeps.</summary>
    public const int MaxReaderErrorLength = 200;

    private const char ByteOrderMark = '\uFEFF';

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly int maxMessageBytes = options.Value.MaxMessageBytes;

    public ActionMessage Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body.TrimStart(ByteOrderMark)))
        {
            throw new PermanentFailureException(FailureReasons.EmptyMessage, "The message is empty.");
        }

        var size = Encoding.UTF8.GetByteCount(body);
        if (size > maxMessageBytes)
        {
            throw new PermanentFailureException(FailureReasons.MessageTooLarge,
                $"The message is {size} bytes; at most {maxMessageBytes} are accepted.");
        }

        var document = ParseDocument(body);
        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PermanentFailureException(FailureReasons.NotAnObject,
                    $"The message must be a JSON object; it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            if (!root.TryGetProperty("action", out var action) || action.ValueKind == JsonValueKind.Null)
            {
                throw new PermanentFailureException(FailureReasons.MissingAction, "The message has no 'action' field.");
            }

            if (action.ValueKind != JsonValueKind.String)
            {
                throw new PermanentFailureException(FailureReasons.InvalidField, "The field 'action' must be a string.");
            }

            if (!JsonText.TryGetString(action, out var name))
            {
                throw new PermanentFailureException(FailureReasons.InvalidField, "The field 'action' is not valid Unicode text.");
            }

            if (name.Length == 0)
            {
                throw new PermanentFailureException(FailureReasons.MissingAction, "The field 'action' is empty.");
            }

            return new ActionMessage(name, document);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static JsonDocument ParseDocument(string body)
    {
        // string.TrimStart gives back the same string when there is no mark: no copy on the usual path.
        var text = body.TrimStart(ByteOrderMark);
        if (TryParseJson(text, "The message", out var document, out var notJson))
        {
            return document;
        }

        var trimmed = text.AsSpan().Trim();
        var base64Problem = Base64Problem(trimmed);
        if (base64Problem is not null)
        {
            throw new PermanentFailureException(FailureReasons.InvalidJson,
                $"The message is not JSON ({Reader(notJson)}), nor base64: {base64Problem}", notJson);
        }

        var decoded = Convert.FromBase64String(trimmed.ToString());
        var start = decoded.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        string json;
        try
        {
            json = StrictUtf8.GetString(decoded, start, decoded.Length - start);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PermanentFailureException(FailureReasons.InvalidEncoding,
                $"The message is not JSON; it is base64, but the {decoded.Length} bytes it encodes are not UTF-8 text.", ex);
        }

        if (TryParseJson(json, "The message is base64; what it encodes", out document, out var decodedNotJson))
        {
            return document;
        }

        throw new PermanentFailureException(FailureReasons.InvalidJson,
            $"The message is base64, but what it encodes is not JSON: {Reader(decodedNotJson)}", decodedNotJson);
    }

    /// <summary>
    /// Parses strictly. False when the text is no JSON at all; throws <c>invalid_json</c> naming the
    /// key when it is JSON that has a property twice in one object.
    /// </summary>
    private static bool TryParseJson(string text, string subject, out JsonDocument document, out JsonException notJson)
    {
        try
        {
            document = StrictJson.Parse(text);
            notJson = null!;
            return true;
        }
        catch (DuplicatePropertyException duplicate)
        {
            throw new PermanentFailureException(FailureReasons.InvalidJson,
                $"{subject} has the property {CallerText.Quote(duplicate.Name)} more than once in the object at " +
                $"{CallerText.Quote(duplicate.ObjectPath)}; which value is meant is ambiguous.", duplicate);
        }
        catch (JsonException ex)
        {
            notJson = ex;
            document = null!;
            return false;
        }
    }

    /// <summary>Null when <paramref name="text"/> is base64 (line breaks allowed); else why it is not.</summary>
    private static string? Base64Problem(ReadOnlySpan<char> text)
    {
        // Line breaks (CR, LF) are allowed anywhere, as MIME-style encoders wrap lines; spaces and
        // tabs are not: prose such as "not json at all" would otherwise pass for base64.
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n')
            {
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
            {
                return $"it holds {CallerText.Quote(c.ToString())} at character {i + 1}, which is not in the base64 alphabet.";
            }

            length++;
        }

        if (length % 4 != 0)
        {
            return $"its {length} base64 characters (line breaks not counted) are not a multiple of 4.";
        }

        return Base64.IsValid(text) ? null : "its '=' padding is not only at the end.";
    }

    private static string Reader(JsonException error) => CallerText.Escape(error.Message, MaxReaderErrorLength);
}
