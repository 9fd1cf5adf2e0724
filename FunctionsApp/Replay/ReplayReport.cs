namespace FunctionsApp.Replay;

/// <summary>
/// What a replay did: how many parked messages went back to the work queue (by reason), how many
/// stayed because they did not match the reason asked for, how many were second copies of a
/// message parked twice (dropped instead of sent), how many it could not move (by
/// <see cref="ReplayRefusals"/> code; they stay parked and visible), and about how many it did not get
/// to (because of <c>max</c> or its time budget): call again while <see cref="Remaining"/> is above 0.
/// </summary>
public sealed record ReplayReport(
    int Moved,
    int Kept,
    int DuplicatesDropped,
    int Remaining,
    IReadOnlyDictionary<string, int> MovedByReason,
    int Failed,
    IReadOnlyDictionary<string, int> FailedByReason)
{
    /// <summary>
    /// For a replay by ids: the ids the replay did not meet in the dead-letter queue (discarded,
    /// replayed already, or, when <see cref="Remaining"/> is above 0, not reached in time); null for
    /// a replay by reason.
    /// </summary>
    public IReadOnlyList<string>? NotFound { get; init; }
}
