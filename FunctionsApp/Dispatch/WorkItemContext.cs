namespace FunctionsApp.Dispatch;

/// <summary>What a handler may know about the message that carried its command.</summary>
/// <param name="MessageId">The queue's id for the message: a stable key for idempotency.</param>
/// <param name="DequeueCount">The delivery attempt, starting at 1.</param>
public sealed record WorkItemContext(string MessageId, long DequeueCount);
