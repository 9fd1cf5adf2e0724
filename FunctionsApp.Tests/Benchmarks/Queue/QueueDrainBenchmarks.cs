using System.Diagnostics;
using System.Globalization;
using FunctionsApp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.Benchmarks.Queue;

/// <summary>
/// A backlog of generate_report messages drained by each <see cref="QueueSide"/>: the ideal SDK
/// loop, the test host's listener with the work done in process, and the app (listener + worker).
/// Each drain gets a fresh, warmed-up Azurite with the same layout and the same backlog, so no
/// side inherits another's data. The listener side splits the app's gap into the test host's
/// share and the worker's.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class QueueDrainBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "queue drain";

    [Fact]
    public async Task QueueDrain_AppNextToIdealDispatcher_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var backlog = BenchmarkSettings.QueueBacklog;
        var rounds = BenchmarkSettings.QueueRounds;
        var settings = ListenerSettings.FromHostJson();
        var timeout = TimeSpan.FromSeconds(Math.Max(120, backlog / 5.0));

        // The first messages pay for JIT in the worker and the listener: the rate after them is given too.
        var warmCount = Math.Min(2 * settings.Concurrency, backlog / 4);
        var drains = QueueSide.All.ToDictionary(s => s, _ => new List<Drain>());

        // Odd rounds run the sides in reverse order, so a machine that gets busier or quieter
        // during the run weighs on all of them alike.
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in round % 2 == 0 ? QueueSide.All : QueueSide.All.Reverse())
            {
                var drain = await DrainAsync(side, settings, backlog, warmCount, timeout);
                drains[side].Add(drain);
                output.WriteLine(BenchmarkReport.Invariant($"round {round + 1}, {side}: {backlog / drain.Total.TotalSeconds:F1} msg/s; CPU per message {drain.Cpu.PerMessage(backlog)}"));
            }
        }

        // Rates over all rounds: messages drained / time spent draining them.
        double Rate(QueueSide side) => rounds * backlog / drains[side].Sum(d => d.Total.TotalSeconds);
        double WarmRate(QueueSide side) => rounds * (backlog - warmCount) / drains[side].Sum(d => (d.Last - d.Warm).TotalSeconds);
        string PerRound(QueueSide side, QueueSide baseline) =>
            string.Join(", ", drains[side].Zip(drains[baseline], (s, b) => (b.Total / s.Total).ToString("F2", CultureInfo.InvariantCulture) + "x"));

        var (ideal, listener, inProcess, app) = (QueueSide.Ideal, QueueSide.Listener, QueueSide.AppInProcess, QueueSide.App);
        var conditions = BenchmarkReport.Invariant($"backlog {backlog:N0} messages, {rounds} round(s) per side, order reversed every round; {settings}");
        output.WriteLine(conditions);
        AddRow(app, ideal, BenchmarkReport.Invariant($"drain rate, backlog {backlog:N0}"), Rate, conditions + $"; per round {PerRound(app, ideal)}");
        AddRow(app, ideal, BenchmarkReport.Invariant($"drain rate after the first {warmCount}, backlog {backlog:N0}"), WarmRate,
            BenchmarkReport.Invariant($"messages {warmCount + 1}-{backlog} of the same drains, first to last report"));

        // Each layer the app adds, next to the one below it.
        AddRow(listener, ideal, "drain rate: the test host's listener", Rate,
            $"the listener with the report work written out in process (no worker); per round {PerRound(listener, ideal)}");
        AddRow(inProcess, listener, "drain rate: the app's code", Rate,
            $"the same listener calling the app's dispatcher in process; per round {PerRound(inProcess, listener)}");
        AddRow(app, inProcess, "drain rate: gRPC and the worker SDK", Rate,
            $"the same listener forwarding to the worker; per round {PerRound(app, inProcess)}");

        // Where the CPU goes: the drain keeps the 2 cores busy, so CPU per message is what sets the
        // rate. After the first messages, so the worker's start-up JIT (paid in every drain, as each
        // has a new worker) does not count.
        CpuSplit Cpu(QueueSide side) => drains[side].Aggregate(CpuSplit.Zero, (sum, d) => sum + d.WarmCpu);
        var measured = rounds * (backlog - warmCount);
        double CpuMs(QueueSide side) => Cpu(side).Total.TotalMilliseconds / measured;
        double Busy(QueueSide side) => Cpu(side).Total / drains[side].Aggregate(TimeSpan.Zero, (sum, d) => sum + (d.Total - d.Warm)) / Environment.ProcessorCount;
        foreach (var side in new[] { listener, inProcess, app })
        {
            BenchmarkReport.Add(new BenchmarkRow(Scenario, $"CPU per message, all processes: {side.Description}", "ms", CpuMs(side), ideal.Description, CpuMs(ideal),
                BenchmarkReport.Invariant($"messages {warmCount + 1}-{backlog}; {side}: {Cpu(side).PerMessage(measured)}, cores {Busy(side):P0} busy; {ideal}: {Cpu(ideal).PerMessage(measured)}, cores {Busy(ideal):P0} busy")));
        }

        var ratio = Rate(app) / Rate(ideal);
        BenchmarkReport.Add(new TargetCheck("queue drain >= 0.8x ideal", ratio >= 0.8,
            BenchmarkReport.Invariant($"{Rate(app):F0} vs {Rate(ideal):F0} msg/s = {ratio:F2}x at backlog {backlog:N0} ({rounds} round(s); per round {PerRound(app, ideal)}); the listener alone {Rate(listener) / Rate(ideal):F2}x")));

        var cpuPer1000 = drains[app].Sum(d => d.Cpu.Worker.TotalSeconds) / (rounds * backlog) * 1000;
        // Executions overlap: with the listener's concurrency kept full, each one lasts about
        // concurrency x drain time / backlog (an upper bound, which the tail of the drain inflates).
        var secondsPerExecution = settings.Concurrency / Rate(app);
        var appResources = drains[app].Select(d => d.Worker!).MaxBy(r => r.PeakResidentBytes)!;
        WorkerCost.Add(Scenario, "messages", ConsumptionPrices.FromEnvironment(), appResources, cpuPer1000, secondsPerExecution, Rate(app),
            BenchmarkReport.Invariant($"backlog {backlog:N0}, {rounds} round(s), includes the worker's first-message JIT"));
        output.WriteLine(BenchmarkReport.Save());
    }

    private static void AddRow(QueueSide side, QueueSide baseline, string metric, Func<QueueSide, double> rate, string conditions) =>
        BenchmarkReport.Add(new BenchmarkRow(Scenario, metric, "msg/s", rate(side), baseline.Description, rate(baseline), conditions));

    /// <summary>
    /// One drain of the backlog by one side: times from the moment the side was started, the CPU its
    /// processes spent (all of it, and after the first messages), and the worker's resources at the
    /// end (for the side with a worker).
    /// </summary>
    private sealed record Drain(TimeSpan Total, TimeSpan Warm, TimeSpan Last, CpuSplit Cpu, CpuSplit WarmCpu, ProcessResources? Worker);

    private static async Task<Drain> DrainAsync(QueueSide side, ListenerSettings settings, int backlog, int warmCount, TimeSpan timeout)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var storage = await QueueStorage.PrepareAsync(azurite, backlog);
        var completions = new Completions();
        await using var running = await side.StartAsync(azurite, settings, completions);

        // Every side polls as soon as it is started (the listener at the end of its start); the clock starts here.
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        await completions.WaitForAsync(warmCount, timeout, side.Description);
        var cpuWarm = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        await completions.WaitForAsync(backlog, timeout, side.Description);
        await storage.WaitForEmptyQueueAsync(timeout);
        var total = Stopwatch.GetElapsedTime(started);
        var cpu = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        var worker = running.WorkerProcessId is { } pid ? ProcessResources.Read(pid) : null;
        var written = completions.Snapshot().Select(c => c.At).Order().ToArray();
        await storage.EnsureDrainedAsync(backlog, side.Description);
        return new Drain(total, Stopwatch.GetElapsedTime(started, written[warmCount - 1]), Stopwatch.GetElapsedTime(started, written[backlog - 1]),
            cpu - cpuBefore, cpu - cpuWarm, worker);
    }
}
