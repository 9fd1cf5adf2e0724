namespace FunctionsApp.Notifications;

/// <summary>
/// A notification handed to a sender. <see cref="IdempotencyKey"/> lets a downstream consumer drop
/// the duplicates that at-least-once delivery produces.
/// </summary>
public sealed record Notification(string UserId, string Message, string IdempotencyKey, DateTimeOffset CreatedAt);
