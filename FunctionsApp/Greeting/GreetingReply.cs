namespace FunctionsApp.Greeting;

/// <summary>The greeting's 200 body.</summary>
public sealed record GreetingReply(string Message, DateTimeOffset Timestamp);
