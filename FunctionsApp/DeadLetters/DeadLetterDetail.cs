namespace FunctionsApp.DeadLetters;

/// <summary>
/// One parked message with its body. For a message replay would refuse, the body is not read (a
/// crafted envelope must not make the app read a blob for it); the message's text as the queue holds
/// it is shown instead, with the refusal in words.
/// </summary>
/// <param name="Message">What the list shows of it.</param>
/// <param name="Body">The body, from the envelope or from its stamped blob; null when it could not be read.</param>
/// <param name="BodyRefusal">Why the body is not shown (a replay refusal code), or null.</param>
/// <param name="RefusalDetail">The refusal in words, caller text escaped.</param>
/// <param name="QueueText">For a refused message: the message as the queue holds it (bounded), to see what was crafted.</param>
public sealed record DeadLetterDetail(DeadLetterSummary Message, string? Body, string? BodyRefusal, string? RefusalDetail, string? QueueText);
