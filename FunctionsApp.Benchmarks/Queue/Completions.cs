using System.Collections.Concurrent;
using System.Diagnostics;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// When each report of one side was written (<see cref="Stopwatch"/> timestamps), in the order
/// they were seen. Every side records at the same point: the handler has written the report and
/// the message's delete comes next.
/// </summary>
public sealed class Completions
{
    private readonly ConcurrentQueue<(string ReportId, long At)> ended = new();

    public int Count => ended.Count;

    public void Add(string reportId) => ended.Enqueue((reportId, Stopwatch.GetTimestamp()));

    public IReadOnlyList<(string ReportId, long At)> Snapshot() => ended.ToArray();

    /// <summary>Waits until <paramref name="expected"/> reports are written.</summary>
    public async Task WaitForAsync(int expected, TimeSpan timeout, string who)
    {
        var clock = Stopwatch.StartNew();
        while (Count < expected)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Expected {expected} reports from the {who} within {timeout.TotalSeconds} s; {Count} were written.");
            }

            await Task.Delay(10);
        }
    }
}
