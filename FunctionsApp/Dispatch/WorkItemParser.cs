using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Turns a queue message's text into a JSON object with an action, or says precisely why it cannot.
/// </summary>
/// <remarks>
/// host.json sets <c>messageEncoding</c> to <c>none</c>, so the text arrives exactly as it was sent
/// and both encodings users send are accepted here: plain JSON (the Azure SDK's and the az CLI's
/// default) and base64 of it (Storage Explorer's and older SDKs' default). The two cannot be
/// confused: text that parses as JSON is taken as JSON, and a base64 string never does, apart from
/// a few words such as <c>null</c> that are not objects anyway.
/// </remarks>
public sealed class WorkItemParser(IOptions<DispatchOptions> options)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly int maxMessageBytes = options.Value.MaxMessageBytes;

    public ParsedWorkItem Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body))
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

            string name;
            try
            {
                name = action.GetString()!;
            }
            catch (InvalidOperationException ex)
            {
                // An escaped lone surrogate ("\ud800") is valid JSON but no text.
                throw new PermanentFailureException(FailureReasons.InvalidField, "The field 'action' is not valid Unicode text.", ex);
            }

            if (name.Length == 0)
            {
                throw new PermanentFailureException(FailureReasons.MissingAction, "The field 'action' is empty.");
            }

            return new ParsedWorkItem(name, document);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static JsonDocument ParseDocument(string body)
    {
        JsonException firstError;
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            firstError = ex;
        }

        var decoded = TryDecodeBase64(body.AsSpan().Trim());
        if (decoded is null)
        {
            throw new PermanentFailureException(FailureReasons.InvalidJson,
                $"The message is neither JSON nor base64 of JSON: {firstError.Message}", firstError);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(decoded);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PermanentFailureException(FailureReasons.InvalidEncoding,
                "The message is not JSON, and read as base64 it does not encode UTF-8 text.", ex);
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new PermanentFailureException(FailureReasons.InvalidJson,
                $"The message is base64, but what it encodes is not JSON: {ex.Message}", ex);
        }
    }

    private static byte[]? TryDecodeBase64(ReadOnlySpan<char> text)
    {
        // Base64.IsValid tolerates inner white space; base64 senders never write it, and prose
        // such as "not json at all" would otherwise pass for base64.
        if (text.IsEmpty || text.ContainsAny(" \t\r\n") || !Base64.IsValid(text, out var length))
        {
            return null;
        }

        var bytes = new byte[length];
        return Convert.TryFromBase64Chars(text, bytes, out var written) && written == length ? bytes : null;
    }
}
