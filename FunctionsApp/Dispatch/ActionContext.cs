using FunctionsApp.Telemetry;

namespace FunctionsApp.Dispatch;

/// <summary>What a handler may know about the queue message that carried its action.</summary>
/// <param name="MessageId">The queue's id for the message: a stable key for idempotency.</param>
/// <param name="DequeueCount">The delivery attempt, starting at 1.</param>
/// <param name="Trace">The valid trace context the message carried, if any; a handler that sends work on hands on <see cref="MessageTraceContext.Onward"/> of it.</param>
public sealed record ActionContext(string MessageId, long DequeueCount, MessageTraceContext? Trace = null);
