using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// A backlog of generate_report messages drained by each <see cref="QueueSide"/>: the ideal SDK
/// loop, our host's listener with the work done in process, the same listener calling the
/// app's dispatcher in process, and the app (listener + worker); each layer next to the one below
/// it shows what it adds. Each drain gets a fresh, warmed-up Azurite with the same layout and the
/// same backlog, so no side inherits another's data. The first messages of the backlog warm each
/// side up; the rate is measured over the rest, and given cold (the whole backlog) too.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class QueueDrainBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "queue drain";

    [Fact]
    public async Task QueueDrain_AppNextToTemplateAndIdealDispatcher_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var backlog = BenchmarkSettings.QueueBacklog;
        var warmup = BenchmarkSettings.QueueWarmup;
        var total = warmup + backlog;
        var rounds = BenchmarkSettings.QueueRounds;
        var settings = ListenerSettings.FromHostJson();
        var timeout = TimeSpan.FromSeconds(Math.Max(120, total / 5.0));
        var drains = QueueSide.All.ToDictionary(s => s, _ => new List<Drain>());

        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in QueueSide.InOrderOfRound(round))
            {
                var drain = await DrainAsync(side, settings, total, warmup, timeout);
                drains[side].Add(drain);
                output.WriteLine(BenchmarkReport.Invariant(
                    $"round {round + 1}, {side}: warm {backlog / (drain.Last - drain.Warm).TotalSeconds:F1} msg/s, cold {total / drain.Total.TotalSeconds:F1} msg/s; warm CPU per message {drain.WarmCpu.PerMessage(backlog)}; worker log lines per message {drain.LogLinesPerMessage:F1} ({drain.LogCategories})"));
            }
        }

        // Rates over all rounds: the measured backlog (after the warm-up messages) over the time
        // from the last warm-up report to the last report; and, cold, everything from the side's start.
        double Rate(QueueSide side) => rounds * backlog / drains[side].Sum(d => (d.Last - d.Warm).TotalSeconds);
        double ColdRate(QueueSide side) => rounds * total / drains[side].Sum(d => d.Total.TotalSeconds);
        string PerRound(QueueSide side, QueueSide baseline) =>
            string.Join(", ", drains[side].Zip(drains[baseline], (s, b) => ((b.Last - b.Warm) / (s.Last - s.Warm)).ToString("F2", CultureInfo.InvariantCulture) + "x"));

        var (ideal, listener, inProcess, app, template) = (QueueSide.Ideal, QueueSide.Listener, QueueSide.AppInProcess, QueueSide.App, QueueSide.Template);
        var conditions = BenchmarkReport.Invariant(
            $"messages {warmup + 1}-{total} of a backlog of {total:N0} (the first {warmup:N0} warm each side up), {rounds} round(s) per side, order reversed every round; {settings}");
        output.WriteLine(conditions);
        AddRow(app, ideal, BenchmarkReport.Invariant($"drain rate, backlog {backlog:N0}, warm"), Rate,
            conditions + $"; per round vs the ideal {PerRound(app, ideal)}, vs the template {PerRound(app, template)}", template);
        AddRow(app, ideal, BenchmarkReport.Invariant($"drain rate, backlog {total:N0}, cold"), ColdRate,
            "the whole backlog of the same drains, from the side's start: the app's and the template's workers are new in every drain and JIT-compile as they go", template);

        // Each layer the app adds, next to the one below it.
        AddRow(listener, ideal, "drain rate: our host's listener", Rate,
            $"the listener with the report work written out in process (no worker); per round {PerRound(listener, ideal)}");
        AddRow(inProcess, listener, "drain rate: the app's code", Rate,
            $"the same listener calling the app's dispatcher in process; per round {PerRound(inProcess, listener)}");
        AddRow(app, inProcess, "drain rate: gRPC and the worker SDK", Rate,
            $"the same listener forwarding to the worker; per round {PerRound(app, inProcess)}");

        // Where the CPU goes: the drain keeps the 2 cores busy, so CPU per message is what sets the rate.
        CpuSplit Cpu(QueueSide side) => drains[side].Aggregate(CpuSplit.Zero, (sum, d) => sum + d.WarmCpu);
        var measured = rounds * backlog;
        double CpuMs(QueueSide side) => Cpu(side).Total.TotalMilliseconds / measured;
        double Busy(QueueSide side) => Cpu(side).Total / drains[side].Aggregate(TimeSpan.Zero, (sum, d) => sum + (d.Total - d.Warm)) / Environment.ProcessorCount;
        foreach (var side in new[] { listener, inProcess, app })
        {
            BenchmarkReport.Add(new BenchmarkRow(Scenario, $"CPU per message, all processes: {side.Description}", "ms", CpuMs(side), ideal.Description, CpuMs(ideal),
                BenchmarkReport.Invariant($"messages {warmup + 1}-{total}; {side}: {Cpu(side).PerMessage(measured)}, cores {Busy(side):P0} busy; {ideal}: {Cpu(ideal).PerMessage(measured)}, cores {Busy(ideal):P0} busy; {template}: {Cpu(template).PerMessage(measured)}"),
                side == app ? CpuMs(template) : null));
        }

        var ratio = Rate(app) / Rate(ideal);
        BenchmarkReport.Add(new TargetCheck("queue drain >= 0.8x ideal", ratio >= 0.8,
            BenchmarkReport.Invariant($"{Rate(app):F0} vs {Rate(ideal):F0} msg/s = {ratio:F2}x, backlog {backlog:N0} after {warmup:N0} warm-up messages ({rounds} round(s); per round {PerRound(app, ideal)}); cold, with the worker's JIT: {ColdRate(app) / ColdRate(ideal):F2}x")));
        var templateRatio = Rate(app) / Rate(template);
        BenchmarkReport.Add(new TargetCheck("queue drain >= 0.9x the template", templateRatio >= 0.9,
            BenchmarkReport.Invariant($"{Rate(app):F0} vs {Rate(template):F0} msg/s = {templateRatio:F2}x warm (per round {PerRound(app, template)}); cold {ColdRate(app) / ColdRate(template):F2}x")));
        double WorkerMs(QueueSide side) => Cpu(side).Worker.TotalMilliseconds / measured;
        ProcessResources PeakOf(QueueSide side) => drains[side].Select(d => d.Worker!).MaxBy(r => r.PeakResidentBytes)!;
        var cpuRatio = WorkerMs(app) / WorkerMs(template);
        BenchmarkReport.Add(new TargetCheck("worker CPU per message <= 1.3x the template", cpuRatio <= 1.3,
            BenchmarkReport.Invariant($"{WorkerMs(app):F3} vs {WorkerMs(template):F3} ms = {cpuRatio:F2}x (messages {warmup + 1}-{total}, warm workers)")));

        // Every line a worker logs crosses gRPC and is handled by our host: the app's and the template's differ.
        double LogLines(QueueSide side) => drains[side].Average(d => d.LogLinesPerMessage);
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker log lines per message", "lines", LogLines(app), null, null,
            $"messages {warmup + 1}-{total}, by category: app {drains[app][^1].LogCategories}; template {drains[template][^1].LogCategories}", LogLines(template)));

        // Cost at the warm rate (a worker that has run a while), with the warm CPU per message;
        // peak memory over the whole drain.
        WorkerCost.Add(Scenario, "message", FlexConsumptionPrices.FromEnvironment(),
            WorkerCost.Figures.Of(Rate(app), WorkerMs(app), PeakOf(app)),
            WorkerCost.Figures.Of(Rate(template), WorkerMs(template), PeakOf(template)),
            BenchmarkReport.Invariant($"messages {warmup + 1}-{total} of each drain, {rounds} round(s), warm workers"));
        output.WriteLine(BenchmarkReport.Save());
    }

    private static void AddRow(QueueSide side, QueueSide baseline, string metric, Func<QueueSide, double> rate, string conditions, QueueSide? template = null) =>
        BenchmarkReport.Add(new BenchmarkRow(Scenario, metric, "msg/s", rate(side), baseline.Description, rate(baseline), conditions, template is null ? null : rate(template)));

    /// <summary>
    /// One drain of the backlog by one side: times from the moment the side was started, the CPU its
    /// processes spent (all of it, and after the first messages), and the worker's resources at the
    /// end (for the side with a worker).
    /// </summary>
    private sealed record Drain(TimeSpan Total, TimeSpan Warm, TimeSpan Last, CpuSplit Cpu, CpuSplit WarmCpu, ProcessResources? Worker, double LogLinesPerMessage, string LogCategories);

    private static async Task<Drain> DrainAsync(QueueSide side, ListenerSettings settings, int messages, int warmup, TimeSpan timeout)
    {
        // On disk: in memory, Azurite stalls for seconds after a few thousand deletes.
        await using var disk = await PrivateAzurite.StartAsync();
        var azurite = disk.Server;
        var storage = await QueueStorage.PrepareAsync(azurite, messages);
        var completions = new Completions();
        await using var running = await side.StartAsync(azurite.ConnectionString, settings, completions);

        // Every side polls as soon as it is started (the listener at the end of its start); the clock starts here.
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        await completions.WaitForAsync(warmup, timeout, side.Description);
        var cpuWarm = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        var logsWarm = running.WorkerLogs?.Count ?? 0;
        await completions.WaitForAsync(messages, timeout, side.Description);
        await storage.WaitForEmptyQueueAsync(timeout);
        var total = Stopwatch.GetElapsedTime(started);
        var cpu = CpuSplit.Read(azurite.ProcessIds, running.WorkerProcessId);
        var worker = running.WorkerProcessId is { } pid ? ProcessResources.Read(pid) : null;
        var logLines = running.WorkerLogs is { } logs ? logs.Snapshot(logsWarm) : [];
        var written = completions.Snapshot().Select(c => c.At).Order().ToArray();
        await storage.EnsureDrainedAsync(messages, side.Description);
        return new Drain(total, Stopwatch.GetElapsedTime(started, written[warmup - 1]), Stopwatch.GetElapsedTime(started, written[messages - 1]),
            cpu - cpuBefore, cpu - cpuWarm, worker, (double)logLines.Count / (messages - warmup),
            string.Join(", ", logLines.GroupBy(l => l.Category).OrderByDescending(g => g.Count()).Take(4).Select(g => BenchmarkReport.Invariant($"{g.Key} {g.Count()}"))));
    }
}
