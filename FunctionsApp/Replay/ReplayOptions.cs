using System.ComponentModel.DataAnnotations;
using FunctionsApp.Storage;

namespace FunctionsApp.Replay;

/// <summary>How long one replay call may work, and how many messages it moves at once.</summary>
public sealed class ReplayOptions
{
    public const string SectionName = "Replay";

    /// <summary>
    /// One call stops starting new batches after this many seconds and answers with how many
    /// remain. Azure ends an HTTP request after 230 s (the load balancer's idle limit) whatever
    /// the function does, and the caller would lose the answer while the work goes on: the default
    /// leaves room for the batch in flight.
    /// </summary>
    [Range(1, 200, ErrorMessage = "The setting Replay:TimeBudgetSeconds must be between 1 and 200 (Azure ends HTTP requests after 230 s).")]
    public int TimeBudgetSeconds { get; set; } = 120;

    /// <summary>How many messages are moved at the same time (each one a send and a delete).</summary>
    [Range(1, 128, ErrorMessage = "The setting Replay:Parallelism must be between 1 and 128.")]
    public int Parallelism { get; set; } = 32;

    /// <summary>
    /// How long a replayed message lives in the work queue, in seconds; -1 (the default): until the
    /// dispatcher has handled it. It was taken out of the dead-letter queue, so it must not expire
    /// on the way back.
    /// </summary>
    [TimeToLive("Replay:WorkItemTimeToLiveSeconds")]
    public int WorkItemTimeToLiveSeconds { get; set; } = TimeToLiveAttribute.Never;
}
