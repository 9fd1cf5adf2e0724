using System.Collections.Frozen;

namespace FunctionsApp.Dispatch;

/// <summary>The reason codes written into dead-letter envelopes; they are part of the wire contract.</summary>
public static class FailureReasons
{
    public const string EmptyMessage = "empty_message";
    public const string MessageTooLarge = "message_too_large";
    public const string InvalidEncoding = "invalid_encoding";
    public const string InvalidJson = "invalid_json";
    public const string NotAnObject = "not_an_object";
    public const string MissingAction = "missing_action";
    public const string UnknownAction = "unknown_action";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";

    /// <summary>A transient failure on the last attempt host.json allows: the platform would give up now.</summary>
    public const string RetriesExhausted = "retries_exhausted";

    private static readonly FrozenSet<string> All = new[]
    {
        EmptyMessage, MessageTooLarge, InvalidEncoding, InvalidJson, NotAnObject, MissingAction, UnknownAction, MissingField, InvalidField, RetriesExhausted,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True for one of the codes above (envelopes read back from the queue may hold anything).</summary>
    public static bool IsKnown(string reason) => All.Contains(reason);
}
