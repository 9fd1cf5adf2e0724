using System.Diagnostics;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// The steady state: a producer keeps the backlog shallow (<see cref="ShallowBacklogProducer"/>)
/// while each <see cref="QueueSide"/> works through it; after a warm-up, the rate of reports
/// written and the enqueue-to-report latency over a fixed window. Each side gets a fresh on-disk
/// Azurite (the in-memory one stalls after a few thousand deletes).
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class QueueSteadyStateBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "queue steady state";
    private const int Senders = 4;

    [Fact]
    public async Task QueueSteadyState_AppNextToTemplateAndIdealDispatcher_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var settings = ListenerSettings.FromHostJson();
        var depth = BenchmarkSettings.SteadyDepth ?? 2 * settings.Concurrency;
        var (warmup, window, rounds) = (BenchmarkSettings.SteadyWarmup, BenchmarkSettings.SteadyWindow, BenchmarkSettings.QueueRounds);
        var results = QueueSide.All.ToDictionary(s => s, _ => new List<Window>());

        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in QueueSide.InOrderOfRound(round))
            {
                var result = await MeasureAsync(side, settings, depth, warmup, window);
                results[side].Add(result);
                output.WriteLine(BenchmarkReport.Invariant(
                    $"round {round + 1}, {side}: {result.Reports / window.TotalSeconds:F1} reports/s, latency p50 {Stats.Of(result.LatenciesMs).Median:F0} ms"));
            }
        }

        double Rate(QueueSide side) => results[side].Sum(w => w.Reports) / (rounds * window.TotalSeconds);
        Stats Latency(QueueSide side) => Stats.Of(results[side].SelectMany(w => w.LatenciesMs));
        var conditions = BenchmarkReport.Invariant(
            $"at most {depth} messages outstanding (queued or in flight); {warmup.TotalSeconds:F0} s warm-up, then {window.TotalSeconds:F0} s measured, {rounds} round(s) per side, order reversed every round; {settings}");
        output.WriteLine(conditions);

        var (ideal, listener, inProcess, app, template) = (QueueSide.Ideal, QueueSide.Listener, QueueSide.AppInProcess, QueueSide.App, QueueSide.Template);
        foreach (var (side, baseline, what) in new[]
        {
            (app, ideal, ""),
            (listener, ideal, ": our host's listener"),
            (inProcess, listener, ": the app's code"),
            (app, inProcess, ": gRPC and the worker SDK"),
        })
        {
            BenchmarkReport.Add(new BenchmarkRow(Scenario, $"reports/s, shallow backlog{what}", "msg/s", Rate(side), baseline.Description, Rate(baseline), conditions,
                what.Length == 0 ? Rate(template) : null));
        }

        foreach (var (name, pick) in new (string, Func<Stats, double>)[] { ("p50", s => s.Median), ("p99", s => s.P99) })
        {
            BenchmarkReport.Add(new BenchmarkRow(Scenario, $"enqueue-to-report latency {name}", "ms", pick(Latency(app)), ideal.Description, pick(Latency(ideal)),
                BenchmarkReport.Invariant($"from the send call to the report written, reports of the measured window; the listener: {pick(Latency(listener)):F0} ms, the app's dispatcher in process: {pick(Latency(inProcess)):F0} ms"),
                pick(Latency(template))));
        }

        // The workers' CPU in the measured windows, per report written in them.
        double WorkerMs(QueueSide side) => results[side].Sum(w => w.WorkerCpu.TotalMilliseconds) / results[side].Sum(w => w.Reports);
        double PeakMb(QueueSide side) => results[side].Max(w => w.WorkerPeakBytes) / (1024.0 * 1024);
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker CPU time per message", "ms", WorkerMs(app), null, null,
            "the measured windows; /proc/<pid>/stat utime+stime", WorkerMs(template)));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker peak memory (VmHWM)", "MB", PeakMb(app), null, null,
            "/proc/<pid>/status, at the end of each side's run", PeakMb(template)));

        var ratio = Rate(app) / Rate(ideal);
        BenchmarkReport.Add(new TargetCheck("queue steady state >= 0.8x ideal", ratio >= 0.8,
            BenchmarkReport.Invariant($"{Rate(app):F0} vs {Rate(ideal):F0} reports/s = {ratio:F2}x with at most {depth} outstanding; the listener alone {Rate(listener) / Rate(ideal):F2}x; the template {Rate(template) / Rate(ideal):F2}x")));
        output.WriteLine(BenchmarkReport.Save());
    }

    /// <summary>
    /// What one side did in the measured window: reports written, each one's latency, and for a side
    /// with a worker its CPU in the window and its peak memory.
    /// </summary>
    private sealed record Window(int Reports, double[] LatenciesMs, TimeSpan WorkerCpu, long WorkerPeakBytes);

    private static async Task<Window> MeasureAsync(QueueSide side, ListenerSettings settings, int depth, TimeSpan warmup, TimeSpan window)
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        var storage = await QueueStorage.PrepareAsync(azurite.Server, backlog: 0);
        var completions = new Completions();
        var producer = new ShallowBacklogProducer(storage.Queue, completions, depth);
        using var stop = new CancellationTokenSource();
        await using (var running = await side.StartAsync(azurite.Server.ConnectionString, settings, completions))
        {
            var producing = producer.RunAsync(Senders, stop.Token);
            var windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var windowEnd = windowStart + (long)(window.TotalSeconds * Stopwatch.Frequency);
            await Task.Delay(warmup);
            var before = Worker(running);
            await Task.Delay(window);
            var after = Worker(running);
            await stop.CancelAsync();
            await producing;

            var measured = completions.Snapshot().Where(c => c.At >= windowStart && c.At < windowEnd).ToArray();
            if (measured.Length == 0)
            {
                throw new InvalidOperationException($"The {side.Description} wrote no report in the measured window ({producer.Sent} messages sent).");
            }

            return new Window(measured.Length, [.. measured.Select(c => Stopwatch.GetElapsedTime(producer.SentAt(c.ReportId), c.At).TotalMilliseconds)],
                after.CpuTime - before.CpuTime, after.PeakResidentBytes);
        }
    }

    private static ProcessResources Worker(IRunningQueueSide running) =>
        running.WorkerProcessId is { } pid ? ProcessResources.Read(pid) : new ProcessResources(TimeSpan.Zero, 0, 0);
}
