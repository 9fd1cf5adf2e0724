namespace FunctionsApp.Dispatch;

/// <summary>A queue message as the dispatcher sees it: the text exactly as it sat in the queue.</summary>
/// <param name="MessageId">The queue's id for the message.</param>
/// <param name="Body">The message text, unchanged (plain JSON or base64 of JSON).</param>
/// <param name="DequeueCount">How many times the queue has handed this message out, this time included.</param>
public sealed record ReceivedMessage(string MessageId, string Body, long DequeueCount);
