namespace FunctionsApp.Replay;

/// <summary>What a replay did: how many parked messages went back to the work queue, by reason, and how many stayed.</summary>
public sealed record ReplayReport(int Moved, int Kept, IReadOnlyDictionary<string, int> MovedByReason);
