using Microsoft.Extensions.Logging;

namespace FunctionsHost.Logging;

/// <summary>
/// Everything the workers and their host logged, in arrival order: kept for callers to assert on or
/// to quote in errors, and passed to the caller's sink (the console of a local run, a test's output).
/// </summary>
/// <param name="sink">Called with each entry as it arrives, outside any lock; keep it short.</param>
/// <param name="capacity">
/// How many entries are kept; older ones are dropped (a long local run), while positions stay
/// absolute, so a <see cref="Count"/> taken earlier still works as <c>from</c> for <see cref="Snapshot"/>.
/// </param>
public sealed class WorkerLogs(Action<WorkerLogEntry>? sink = null, int capacity = int.MaxValue)
{
    private readonly List<WorkerLogEntry> entries = [];
    private readonly Lock gate = new();
    private TaskCompletionSource changed = NewSignal();
    private int dropped;
    private ILogger? host;

    /// <summary>How many entries have arrived, dropped ones included.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return dropped + entries.Count;
            }
        }
    }

    public void Add(WorkerLogEntry entry)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            entries.Add(entry);
            if (entries.Count > capacity)
            {
                var excess = entries.Count - capacity;
                entries.RemoveRange(0, excess);
                dropped += excess;
            }

            signal = changed;
            changed = NewSignal();
        }

        sink?.Invoke(entry);
        signal.TrySetResult();
    }

    /// <summary>
    /// Where the host's own events (<see cref="HostLog"/>) go: kept here with source Host, category
    /// FunctionsHost and their EventId, at every level. Created on first use; a race only builds a spare.
    /// </summary>
    internal ILogger Host => host ??= HostLogger("FunctionsHost");

    /// <summary>A logger for host events under another category, kept here like <see cref="Host"/>'s.</summary>
    internal ILogger HostLogger(string category) => new WorkerLogsLoggerProvider(this, LogLevel.Trace).CreateLogger(category);

    public IReadOnlyList<WorkerLogEntry> Snapshot(int from = 0)
    {
        lock (gate)
        {
            return entries.Skip(Math.Max(0, from - dropped)).ToArray();
        }
    }

    public IReadOnlyList<WorkerLogEntry> Find(Func<WorkerLogEntry, bool> predicate) => Snapshot().Where(predicate).ToArray();

    /// <summary>The last <paramref name="lines"/> lines from one source, for error messages.</summary>
    public string Tail(WorkerLogSource source, int lines = 30)
    {
        var tail = Snapshot().Where(e => e.Source == source).TakeLast(lines).Select(e => e.Message);
        var text = string.Join(Environment.NewLine, tail);
        return text.Length == 0 ? "(nothing)" : text;
    }

    /// <summary>Waits until a log matching <paramref name="predicate"/> arrives; fails after <paramref name="timeout"/>.</summary>
    public async Task<WorkerLogEntry> WaitForAsync(Func<WorkerLogEntry, bool> predicate, TimeSpan timeout, string expected)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var seen = 0;
        while (true)
        {
            Task signal;
            lock (gate)
            {
                for (seen = Math.Max(seen, dropped); seen < dropped + entries.Count; seen++)
                {
                    if (predicate(entries[seen - dropped]))
                    {
                        return entries[seen - dropped];
                    }
                }

                signal = changed.Task;
            }

            try
            {
                await signal.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Expected a worker log {expected} within {timeout.TotalSeconds} s; saw {Count} lines:{Environment.NewLine}" +
                    string.Join(Environment.NewLine, Snapshot().TakeLast(40)));
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
