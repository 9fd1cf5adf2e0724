namespace FunctionsApp.Replay;

/// <summary>The optional JSON body of a replay: <c>{"ids":["..."]}</c> replays exactly those dead-letter queue ids.</summary>
public sealed record ReplayRequest(IReadOnlyList<string>? Ids);
