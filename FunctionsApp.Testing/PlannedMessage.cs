namespace FunctionsApp.Testing;

/// <summary>One message of a <see cref="WorkMix"/>: its text as sent and what the app must make of it.</summary>
/// <param name="Index">Its place in the mix.</param>
/// <param name="Text">The text sent to the work queue (JSON, or base64 of it).</param>
/// <param name="ReportId">For a valid generate_report: the report it must produce.</param>
/// <param name="IdempotencyKey">For a valid send_notification with a key: the key.</param>
/// <param name="IsNotification">A valid send_notification (with or without a key).</param>
/// <param name="ExpectedReason">For an invalid message: the dead-letter reason it must get.</param>
public sealed record PlannedMessage(int Index, string Text, string? ReportId, string? IdempotencyKey, bool IsNotification, string? ExpectedReason)
{
    /// <summary>The queue message id, once sent.</summary>
    public string? MessageId { get; set; }

    public bool IsValid => ExpectedReason is null;

    /// <summary>The key its notification carries: its own key, else its message id (the app's rule).</summary>
    public string? NotificationKey => IsNotification ? IdempotencyKey ?? MessageId : null;
}
