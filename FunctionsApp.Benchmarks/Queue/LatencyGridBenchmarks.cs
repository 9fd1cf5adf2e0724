using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// host.json's queue settings under Azure-like storage latency: a <see cref="LatencyStage"/> between
/// every side and Azurite, first checked with the ideal SDK loop (it must reach what its concurrency
/// and the delay predict, or the stage would be the limit), then a grid of batchSize x
/// newBatchThreshold for the app and the template in turns. At each point one start of the side
/// drains a backlog (rate, CPU per message) and then works a shallow backlog (enqueue-to-report
/// latency); with the Flex Consumption cost and the instances target-based scaling would ask for.
/// The full table goes to results/latency-grid.md, a line per point as it is measured.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed partial class LatencyGridBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "queue under storage latency";
    private const int Senders = 4;
    private static readonly int[] ScaleBacklogs = [10_000, 1_000_000];

    private static string GridPath => Path.Combine(BenchmarkReport.Directory, "latency-grid.md");

    [Fact]
    public async Task QueueSettingsGrid_UnderStorageLatency_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        Directory.CreateDirectory(BenchmarkReport.Directory);
        var prices = FlexConsumptionPrices.FromEnvironment();
        var maxInstances = MaximumInstanceCount();
        File.WriteAllText(GridPath, BenchmarkReport.Invariant($"""
            # Queue settings under storage latency ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC)

            {BenchmarkReport.Machine()}. Each point: one start of the side, {BenchmarkSettings.LatencyWarmup} warm-up messages, a backlog of {BenchmarkSettings.LatencyBacklog} drained (rate, CPU), then {BenchmarkSettings.LatencySteadyWindow.TotalSeconds:F0} s of steady state with at most {BenchmarkSettings.LatencySteadyDepth} messages outstanding (latency). Host CPU and RSS are the benchmark process's: our host's listener and gRPC server, and also the latency stage and the producer. Cost: {prices}. Instances: target-based scaling, backlog / batchSize, at most {maxInstances} (infra/main.bicep maximumInstanceCount).


            """));

        foreach (var latency in new[] { StorageLatency.Fixed(BenchmarkSettings.LatencyMedianMs), StorageLatency.Tailed(BenchmarkSettings.LatencyMedianMs, BenchmarkSettings.LatencyP99Ms, seed: 23) })
        {
            await CheckStageAsync(latency);
            await MeasureGridAsync(latency, prices, maxInstances);
        }

        output.WriteLine(BenchmarkReport.Save());
    }

    /// <summary>
    /// The ideal loop fetching one batch at a time (newBatchThreshold 0: the next fetch once the batch
    /// is done) through the stage, 1 and 16 messages a batch. A batch's cycle is one receive, then each
    /// message's upload and delete side by side: the delays add up to receive + the slowest
    /// upload + delete (for the tailed latency, its mean over many draws), and the work itself takes
    /// what the same loop takes through the stage with no delay. So the rate should be about
    /// batch / (delays + work); well below, and the stage would be the limit.
    /// </summary>
    private async Task CheckStageAsync(StorageLatency latency)
    {
        foreach (var batch in new[] { 1, 16 })
        {
            var settings = new ListenerSettings(batch, 0);
            var undelayed = await IdealRateAsync(StorageLatency.Fixed(0), settings);
            var measured = await IdealRateAsync(latency, settings);
            var delaysMs = MeanCycleDelayMs(latency, batch);
            var predicted = batch / ((delaysMs / 1000) + (batch / undelayed));
            var latencyOnly = batch / (delaysMs / 1000);
            var line = BenchmarkReport.Invariant(
                $"stage check, {latency}, ideal loop batch {batch} one batch at a time: measured {measured:F1} msg/s, predicted {predicted:F1} (delays {delaysMs:F1} ms a batch + the work, {batch / undelayed * 1000:F1} ms a batch through the stage without delay, {undelayed:F1} msg/s); delays alone would allow {latencyOnly:F1}");
            Progress(line);
            BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"stage check: ideal loop, batch {batch}, {latency}"), "msg/s", measured,
                "predicted from the delays and the undelayed work", predicted, BenchmarkReport.Invariant($"{BenchmarkSettings.LatencyCheckMessages} messages; delays {delaysMs:F1} ms a batch, work {batch / undelayed * 1000:F1} ms a batch")));
            BenchmarkReport.Add(new TargetCheck(BenchmarkReport.Invariant($"latency stage not the limit ({latency}, batch {batch}): >= 0.8x predicted"), measured >= 0.8 * predicted,
                BenchmarkReport.Invariant($"{measured:F1} vs {predicted:F1} msg/s = {measured / predicted:F2}x")));
        }
    }

    private static async Task<double> IdealRateAsync(StorageLatency latency, ListenerSettings settings)
    {
        var messages = BenchmarkSettings.LatencyCheckMessages;
        await using var disk = await PrivateAzurite.StartAsync();
        await QueueStorage.PrepareAsync(disk.Server, messages);
        await using var stage = new LatencyStage(disk.Server, latency);
        var completions = new Completions();
        var started = Stopwatch.GetTimestamp();
        await using (await QueueSide.Ideal.StartAsync(stage.ConnectionString, settings, completions))
        {
            await completions.WaitForAsync(messages, TimeSpan.FromMinutes(5), QueueSide.Ideal.Description);
        }

        var last = completions.Snapshot().Max(c => c.At);
        return messages / Stopwatch.GetElapsedTime(started, last).TotalSeconds;
    }

    /// <summary>The mean of receive + the slowest of <paramref name="batch"/> upload + delete pairs, over many draws.</summary>
    private static double MeanCycleDelayMs(StorageLatency latency, int batch)
    {
        const int Cycles = 20_000;
        var random = new Random(1);
        var sum = 0.0;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var slowest = 0.0;
            for (var message = 0; message < batch; message++)
            {
                slowest = Math.Max(slowest, latency.Draw(random) + latency.Draw(random));
            }

            sum += latency.Draw(random) + slowest;
        }

        return sum / Cycles;
    }

    /// <summary>What one side did at one point of the grid.</summary>
    private sealed record Point(double DrainRate, Stats Latency, int SteadyReports, double WorkerCpuMs, double HostCpuMs, double WorkerPeakMb, double HostRssMb)
    {
        public double PeakMb => WorkerPeakMb + HostRssMb;
    }

    private async Task MeasureGridAsync(StorageLatency latency, FlexConsumptionPrices prices, int maxInstances)
    {
        var grid = new StringBuilder();
        grid.AppendLine(BenchmarkReport.Invariant($"## {latency}")).AppendLine();
        grid.AppendLine("| batchSize | newBatchThreshold | side | drain msg/s | p50 ms | p99 ms | worker CPU ms/msg | host CPU ms/msg | worker peak MB | host RSS MB | $ per million | instances for 10,000 | instances for 1,000,000 | minutes to drain 1,000,000 | load average |");
        grid.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        File.AppendAllText(GridPath, grid.ToString());

        var index = 0;
        foreach (var batch in BenchmarkSettings.LatencyBatchSizes)
        {
            foreach (var threshold in new[] { batch / 2, batch, 2 * batch })
            {
                var settings = new ListenerSettings(batch, threshold);
                var sides = index++ % 2 == 0 ? new[] { QueueSide.App, QueueSide.Template } : [QueueSide.Template, QueueSide.App];
                var points = new Dictionary<QueueSide, Point>();
                foreach (var side in sides)
                {
                    var load = BenchmarkReport.LoadAverage();
                    var point = await MeasurePointAsync(side, settings, latency);
                    points[side] = point;
                    var instances = ScaleBacklogs.Select(b => (int)Math.Min(maxInstances, Math.Ceiling((double)b / batch))).ToArray();
                    File.AppendAllText(GridPath, BenchmarkReport.Invariant(
                        $"| {batch} | {threshold} | {side} | {point.DrainRate:F1} | {point.Latency.Median:F0} | {point.Latency.P99:F0} | {point.WorkerCpuMs:F2} | {point.HostCpuMs:F2} | {point.WorkerPeakMb:F0} | {point.HostRssMb:F0} | {prices.CostPerMillion(point.DrainRate):F2} | {instances[0]} | {instances[1]} | {1_000_000 / (instances[1] * point.DrainRate) / 60:F1} | {load} |{Environment.NewLine}"));
                    output.WriteLine(BenchmarkReport.Invariant($"{latency}, {settings}, {side}: {point}"));
                }

                var (app, template) = (points[QueueSide.App], points[QueueSide.Template]);
                var where = BenchmarkReport.Invariant($"batchSize {batch}, newBatchThreshold {threshold}, {latency}");
                BenchmarkReport.Add(new BenchmarkRow(Scenario, $"drain rate, {where}", "msg/s", app.DrainRate, null, null,
                    BenchmarkReport.Invariant($"messages {BenchmarkSettings.LatencyWarmup + 1}-{BenchmarkSettings.LatencyWarmup + BenchmarkSettings.LatencyBacklog}; worker CPU {app.WorkerCpuMs:F2} (template {template.WorkerCpuMs:F2}) ms, host {app.HostCpuMs:F2} (template {template.HostCpuMs:F2}) ms a message; ${prices.CostPerMillion(app.DrainRate):F2} (template ${prices.CostPerMillion(template.DrainRate):F2}) per million"),
                    template.DrainRate));
                BenchmarkReport.Add(new BenchmarkRow(Scenario, $"enqueue-to-report p99, {where}", "ms", app.Latency.P99, null, null,
                    BenchmarkReport.Invariant($"steady state, at most {BenchmarkSettings.LatencySteadyDepth} outstanding; p50 {app.Latency.Median:F0} (template {template.Latency.Median:F0}) ms; peak memory host+worker {app.PeakMb:F0} (template {template.PeakMb:F0}) MB"),
                    template.Latency.P99));
                BenchmarkReport.Save();
            }
        }

        File.AppendAllText(GridPath, Environment.NewLine);
    }

    private static async Task<Point> MeasurePointAsync(QueueSide side, ListenerSettings settings, StorageLatency latency)
    {
        var (warmup, backlog) = (BenchmarkSettings.LatencyWarmup, BenchmarkSettings.LatencyBacklog);
        var total = warmup + backlog;
        var timeout = TimeSpan.FromMinutes(5);
        await using var disk = await PrivateAzurite.StartAsync();
        var storage = await QueueStorage.PrepareAsync(disk.Server, total);
        await using var stage = new LatencyStage(disk.Server, latency);
        var completions = new Completions();
        await using var running = await side.StartAsync(stage.ConnectionString, settings, completions);

        // The drain: rate and CPU per message over the backlog after the warm-up messages.
        await completions.WaitForAsync(warmup, timeout, side.Description);
        var cpuWarm = CpuSplit.Read(disk.Server.ProcessIds, running.WorkerProcessId);
        await completions.WaitForAsync(total, timeout, side.Description);
        var cpu = CpuSplit.Read(disk.Server.ProcessIds, running.WorkerProcessId) - cpuWarm;
        var written = completions.Snapshot().Select(c => c.At).Order().ToArray();
        var rate = backlog / Stopwatch.GetElapsedTime(written[warmup - 1], written[total - 1]).TotalSeconds;

        // The steady state on the same side, enqueueing straight to Azurite (the producer is not the instance measured).
        var window = BenchmarkSettings.LatencySteadyWindow;
        var settle = window / 3;
        var producer = new ShallowBacklogProducer(storage.Queue, completions, BenchmarkSettings.LatencySteadyDepth, drained: total);
        using var stop = new CancellationTokenSource();
        var producing = producer.RunAsync(Senders, stop.Token);
        var windowStart = Stopwatch.GetTimestamp() + (long)(settle.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(window.TotalSeconds * Stopwatch.Frequency);
        await Task.Delay(settle + window);
        await stop.CancelAsync();
        await producing;
        var measured = completions.Snapshot().Where(c => c.At >= windowStart && c.At < windowEnd && producer.Produced(c.ReportId)).ToArray();
        if (measured.Length == 0)
        {
            throw new InvalidOperationException($"The {side.Description} wrote no report in the steady window ({producer.Sent} messages sent).");
        }

        var worker = ProcessResources.Read(running.WorkerProcessId ?? throw new InvalidOperationException("The grid measures sides with a worker."));
        var host = ProcessResources.Read(Environment.ProcessId);
        const double Mb = 1024 * 1024;
        return new Point(rate, Stats.Of(measured.Select(c => Stopwatch.GetElapsedTime(producer.SentAt(c.ReportId), c.At).TotalMilliseconds)), measured.Length,
            cpu.Worker.TotalMilliseconds / backlog, cpu.Benchmark.TotalMilliseconds / backlog, worker.PeakResidentBytes / Mb, host.ResidentBytes / Mb);
    }

    /// <summary>infra/main.bicep's default cap on instances, which target-based scaling cannot exceed.</summary>
    private static int MaximumInstanceCount()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "main.bicep"));
        return int.Parse(MaximumInstanceCountParameter().Match(bicep).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Progress(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(GridPath, line + Environment.NewLine + Environment.NewLine);
    }

    [GeneratedRegex(@"param maximumInstanceCount int = (\d+)")]
    private static partial Regex MaximumInstanceCountParameter();
}
