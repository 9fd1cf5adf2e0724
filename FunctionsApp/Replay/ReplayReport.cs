namespace FunctionsApp.Replay;

/// <summary>
/// What a replay did: how many parked messages went back to the work queue (by reason), how many
/// stayed, and how many were second copies of a message parked twice, dropped instead of sent.
/// </summary>
public sealed record ReplayReport(int Moved, int Kept, int DuplicatesDropped, IReadOnlyDictionary<string, int> MovedByReason);
