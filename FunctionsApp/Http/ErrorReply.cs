namespace FunctionsApp.Http;

/// <summary>The body of every 4xx answer: a stable code for programs and a sentence for people.</summary>
public sealed record ErrorReply(string Error, string Message);
