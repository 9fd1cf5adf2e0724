namespace FunctionsApp.Replay;

/// <summary>
/// Why replay left a parked message where it was instead of moving it: the codes of a replay
/// answer's <c>failed_by_reason</c>. Anyone who can write to the dead-letter queue can put anything
/// there, so replay acts only on what it can prove the app wrote; a message it cannot move is made
/// visible again, counted and logged (event 5001 or 5002), and the rest of the call goes on.
/// </summary>
public static class ReplayRefusals
{
    /// <summary>The envelope's <c>reason</c> is not one of the codes the app writes.</summary>
    public const string InvalidReason = "invalid_reason";

    /// <summary>The envelope's <c>message_id</c> does not have the shape of a queue message id (a GUID).</summary>
    public const string InvalidMessageId = "invalid_message_id";

    /// <summary>
    /// The envelope names a body blob other than the one the app names after its message id, or has
    /// both an inline body and a blob, or neither.
    /// </summary>
    public const string InvalidBodyBlob = "invalid_body_blob";

    /// <summary>The body blob the envelope needs does not exist.</summary>
    public const string BodyBlobMissing = "body_blob_missing";

    /// <summary>The body blob exists but does not carry the app's stamp for this message id.</summary>
    public const string BodyBlobNotOurs = "body_blob_not_ours";

    /// <summary>The body blob is larger than a queue message can be, so it was not read.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>The body blob is not UTF-8 text (or changed while it was read).</summary>
    public const string BodyUnreadable = "body_unreadable";

    /// <summary>A storage call failed while the message was being moved; it stays parked for the next call.</summary>
    public const string MoveFailed = "move_failed";
}
