using System.Buffers.Text;
using System.Text.Json;
using FunctionsApp.Replay;

namespace FunctionsApp.DeadLetters;

/// <summary>
/// Where a listing is: how many messages it has read of about how many, and its counts by reason.
/// It travels to the caller and back as an opaque continuation token (base64url of JSON). It holds
/// no position in the queue: the queue itself is the position (see <see cref="QueueDeadLetterBrowser"/>).
/// A caller who edits it only changes the counts shown to themselves.
/// </summary>
/// <param name="Total">The queue's approximate message count when the listing began.</param>
/// <param name="Read">How many messages the listing has read so far.</param>
/// <param name="Counts">Messages read so far, by reason.</param>
public sealed record DeadLetterCursor(int Total, int Read, IReadOnlyDictionary<string, int> Counts)
{
    /// <summary>The count key of an envelope whose reason is not one the app writes.</summary>
    public const string UnrecognizedReason = "unrecognized";

    /// <summary>A token is at most this long; a real one is well under 1,000 characters.</summary>
    public const int MaxTokenLength = 2048;

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, DeadLettersJsonContext.Default.DeadLetterCursor));

    /// <summary>The cursor in a token, or null when the token is not one this app made.</summary>
    public static DeadLetterCursor? TryDecode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length is 0 or > MaxTokenLength || !Base64Url.IsValid(token))
        {
            return null;
        }

        DeadLetterCursor? cursor;
        try
        {
            cursor = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token), DeadLettersJsonContext.Default.DeadLetterCursor);
        }
        catch (JsonException)
        {
            return null;
        }

        return cursor is { Total: >= 0, Read: >= 0, Counts: not null }
            && cursor.Counts.All(c => IsCountKey(c.Key) && c.Value >= 0)
            ? cursor
            : null;
    }

    /// <summary>A reason the counts may hold: one the app writes, a bare body's, or <see cref="UnrecognizedReason"/>.</summary>
    public static bool IsCountKey(string reason) =>
        ParkedMessage.IsReason(reason) || reason == UnrecognizedReason;
}
