using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// Everything one worker and its test host logged, in arrival order, for tests to assert on and to
/// print when a test fails.
/// </summary>
public sealed class WorkerLogs
{
    private readonly List<WorkerLogEntry> entries = [];
    private readonly Lock gate = new();
    private TaskCompletionSource changed = NewSignal();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    public void Add(WorkerLogEntry entry)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            entries.Add(entry);
            signal = changed;
            changed = NewSignal();
        }

        signal.TrySetResult();
    }

    public void AddHost(LogLevel level, string message, string category = "FunctionsTestHost") =>
        Add(new WorkerLogEntry(DateTimeOffset.UtcNow, WorkerLogSource.Host, category, level, null, message, null, null));

    public IReadOnlyList<WorkerLogEntry> Snapshot(int from = 0)
    {
        lock (gate)
        {
            return entries.Skip(from).ToArray();
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
                for (; seen < entries.Count; seen++)
                {
                    if (predicate(entries[seen]))
                    {
                        return entries[seen];
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

    /// <summary>Writes the lines from <paramref name="from"/> on to a test's output.</summary>
    public void WriteTo(ITestOutputHelper output, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var entry in Snapshot(from))
        {
            try
            {
                output.WriteLine(entry.ToString());
            }
            catch (InvalidOperationException)
            {
                // The test has already finished; its output is closed.
                return;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
