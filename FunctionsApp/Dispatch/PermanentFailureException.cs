namespace FunctionsApp.Dispatch;

/// <summary>
/// Says that a message can never succeed, however often it is retried: the dispatcher dead-letters
/// it instead of letting the platform retry it.
/// </summary>
public sealed class PermanentFailureException : Exception
{
    public PermanentFailureException(string reason, string description)
        : base(description)
    {
        Reason = reason;
    }

    public PermanentFailureException(string reason, string description, Exception innerException)
        : base(description, innerException)
    {
        Reason = reason;
    }

    /// <summary>One of <see cref="FailureReasons"/>.</summary>
    public string Reason { get; }
}
