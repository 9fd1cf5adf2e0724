namespace FunctionsApp.Notifications;

/// <summary>
/// A notification handed to a sender. <see cref="IdempotencyKey"/> lets a downstream consumer drop
/// the duplicates that at-least-once delivery produces.
/// </summary>
public sealed record Notification(string UserId, string Message, string IdempotencyKey, DateTimeOffset CreatedAt)
{
    /// <summary>The W3C trace context of the work that sent it, for the delivery service to continue; null when there was none.</summary>
    public string? Traceparent { get; init; }

    /// <summary>The tracestate that goes with <see cref="Traceparent"/>.</summary>
    public string? Tracestate { get; init; }
}
