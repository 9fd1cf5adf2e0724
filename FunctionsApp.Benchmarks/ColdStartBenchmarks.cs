using FunctionsHost;
using FunctionsHost.Worker;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// Cold start: the worker from launch to all functions loaded, next to the template baseline's
/// worker (func new's app, Baselines/TemplateApp) through the same host, a trivial console app and
/// a bare FunctionsApplication builder with the app's DI; then the first greeting after start (the
/// cold call) next to warm ones; in full runs also ReadyToRun publishes of the workers and the bare
/// builder. All kinds are launched in turn in each repetition, so load from elsewhere on the
/// machine falls on all of them alike.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class ColdStartBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "cold start";

    // Never contacted: the queue listener is off and the greeting touches no storage, but the app
    // refuses to start without a connection string.
    private static readonly Dictionary<string, string> Settings = new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };

    [Fact]
    public async Task ColdStart_WorkerNextToTemplateConsoleAndBareBuilder_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var console = await BaselineApps.DllAsync("HelloConsole");
        var bare = await BaselineApps.DllAsync("BareBuilder");
        var template = await BaselineApps.DirectoryAsync("TemplateApp");
        var readyToRun = BenchmarkSettings.ReadyToRun;
        var bareR2R = readyToRun ? Path.Combine(await BaselineApps.ReadyToRunDirectoryAsync("BareBuilder"), "BareBuilder.dll") : null;
        var workerR2R = readyToRun ? await BaselineApps.ReadyToRunDirectoryAsync("FunctionsApp") : null;
        var templateR2R = readyToRun ? await BaselineApps.ReadyToRunDirectoryAsync("TemplateApp") : null;
        var repetitions = BenchmarkSettings.ColdStartRepetitions;
        var consoleMs = new List<double>();
        var bareMs = new List<double>();
        var workerMs = new List<double>();
        var bareR2RMs = new List<double>();
        var workerR2RMs = new List<double>();
        var coldCallMs = new List<double>();
        var coldCallR2RMs = new List<double>();
        var warmCallMs = new List<double>();
        var workerStarts = new List<WorkerStartupTimes>();
        var workerR2RStarts = new List<WorkerStartupTimes>();
        var templateStarts = new List<WorkerStartupTimes>();
        var templateR2RStarts = new List<WorkerStartupTimes>();
        var templateColdCallMs = new List<double>();
        var templateColdCallR2RMs = new List<double>();
        var templateWarmCallMs = new List<double>();
        // The worker's own CPU time from launch to all functions loaded: what the start costs,
        // less moved by other load on the machine than the wall-clock figures.
        var (workerCpuMs, templateCpuMs, workerR2RCpuMs, templateR2RCpuMs) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());

        // One unmeasured round, so the first figures do not include filling the disk cache.
        await ProcessStartTimer.TimeToFirstLineAsync(console, "ready");
        await ProcessStartTimer.TimeToFirstLineAsync(bare, "built", Settings);
        await MeasureWorkerAsync(appDirectory: null, coldCallMs: [], warmCallMs: [], startCpuMs: []);
        await MeasureWorkerAsync(template, coldCallMs: [], warmCallMs: [], startCpuMs: []);
        if (readyToRun)
        {
            await ProcessStartTimer.TimeToFirstLineAsync(bareR2R!, "built", Settings);
            await MeasureWorkerAsync(workerR2R, coldCallMs: [], warmCallMs: [], startCpuMs: []);
            await MeasureWorkerAsync(templateR2R, coldCallMs: [], warmCallMs: [], startCpuMs: []);
        }

        for (var i = 0; i < repetitions; i++)
        {
            consoleMs.Add((await ProcessStartTimer.TimeToFirstLineAsync(console, "ready")).TotalMilliseconds);
            bareMs.Add((await ProcessStartTimer.TimeToFirstLineAsync(bare, "built", Settings)).TotalMilliseconds);
            // The app and the template take turns at going first.
            foreach (var appFirst in i % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (appFirst)
                {
                    workerStarts.Add(await MeasureWorkerAsync(appDirectory: null, coldCallMs, warmCallMs, workerCpuMs));
                    workerMs.Add(workerStarts[^1].FunctionsLoaded.TotalMilliseconds);
                }
                else
                {
                    templateStarts.Add(await MeasureWorkerAsync(template, templateColdCallMs, templateWarmCallMs, templateCpuMs));
                }
            }

            if (readyToRun)
            {
                bareR2RMs.Add((await ProcessStartTimer.TimeToFirstLineAsync(bareR2R!, "built", Settings)).TotalMilliseconds);
                workerR2RStarts.Add(await MeasureWorkerAsync(workerR2R, coldCallR2RMs, warmCallMs: [], workerR2RCpuMs));
                workerR2RMs.Add(workerR2RStarts[^1].FunctionsLoaded.TotalMilliseconds);
                templateR2RStarts.Add(await MeasureWorkerAsync(templateR2R, templateColdCallR2RMs, warmCallMs: [], templateR2RCpuMs));
            }

            output.WriteLine(BenchmarkReport.Invariant(
                $"repetition {i + 1}: console {consoleMs[^1]:F0} ms, bare builder {bareMs[^1]:F0} ms, worker {workerMs[^1]:F0} ms, template {templateStarts[^1].FunctionsLoaded.TotalMilliseconds:F0} ms, cold call {coldCallMs[^1]:F1} ms (template {templateColdCallMs[^1]:F1} ms)"));
        }

        var worker = Stats.Of(workerMs);
        var consoleStats = Stats.Of(consoleMs);
        var bareStats = Stats.Of(bareMs);
        var cold = Stats.Of(coldCallMs);
        var warm = Stats.Of(warmCallMs);
        var templateStats = Stats.Of(templateStarts.Select(t => t.FunctionsLoaded.TotalMilliseconds));
        var conditions = BenchmarkReport.Invariant($"median of {repetitions} launches, JIT");
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker launch -> all functions loaded", "ms", worker.Median, "bare builder launch -> built", bareStats.Median,
            conditions + ", worker range " + Range(worker) + ", template range " + Range(templateStats) + ", bare builder range " + Range(bareStats), templateStats.Median));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker launch -> all functions loaded", "ms", worker.Median, "console launch -> first line", consoleStats.Median,
            conditions + ", console range " + Range(consoleStats)));
        AddMilestones("JIT", workerStarts, templateStarts, bareStats.Median);
        AddStartCpu("JIT", workerCpuMs, templateCpuMs);
        if (readyToRun)
        {
            var workerR2RStats = Stats.Of(workerR2RMs);
            var bareR2RStats = Stats.Of(bareR2RMs);
            var templateR2RStats = Stats.Of(templateR2RStarts.Select(t => t.FunctionsLoaded.TotalMilliseconds));
            BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker launch -> all functions loaded, ReadyToRun", "ms", workerR2RStats.Median,
                "bare builder, ReadyToRun", bareR2RStats.Median,
                BenchmarkReport.Invariant($"median of {repetitions} launches, PublishReadyToRun linux-x64, worker range {Range(workerR2RStats)}, template range {Range(templateR2RStats)}, bare builder range {Range(bareR2RStats)}"),
                templateR2RStats.Median));
            BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker launch -> all functions loaded, ReadyToRun", "ms", workerR2RStats.Median,
                "worker, JIT", worker.Median, "the same repetitions"));
            AddMilestones("ReadyToRun", workerR2RStarts, templateR2RStarts, bareR2RStats.Median);
            AddStartCpu("ReadyToRun", workerR2RCpuMs, templateR2RCpuMs);
            var coldR2R = Stats.Of(coldCallR2RMs);
            BenchmarkReport.Add(new BenchmarkRow(Scenario, "first greeting after start (cold call), ReadyToRun", "ms", coldR2R.Median,
                "cold call, JIT", Stats.Of(coldCallMs).Median, BenchmarkReport.Invariant($"median of {coldR2R.Count}, range {Range(coldR2R)}"),
                Stats.Of(templateColdCallR2RMs).Median));
        }

        var templateWarm = Stats.Of(templateWarmCallMs);
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "first greeting after start (cold call)", "ms", cold.Median, "warm greeting (median)", warm.Median,
            BenchmarkReport.Invariant($"JIT; cold: median of {cold.Count}, range {Range(cold)}; warm: {warm.Count} sequential calls, p99 {warm.P99:F2} ms (template {templateWarm.Median:F2}, p99 {templateWarm.P99:F2} ms)"),
            Stats.Of(templateColdCallMs).Median));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "warm greeting (median)", "ms", warm.Median, null, null,
            BenchmarkReport.Invariant($"{warm.Count} sequential calls after each cold one"), templateWarm.Median));
        WorkerCost.AddAlwaysReady(Scenario, FlexConsumptionPrices.FromEnvironment());
        // The issue sets the target on ReadyToRun builds; a run without them checks the JIT ones and says so.
        var (targetWorker, targetBare, targetTemplate, build) = readyToRun
            ? (Stats.Of(workerR2RMs).Median, Stats.Of(bareR2RMs).Median, Stats.Of(templateR2RStarts.Select(t => t.FunctionsLoaded.TotalMilliseconds)).Median, "ReadyToRun")
            : (worker.Median, bareStats.Median, templateStats.Median, "JIT; this run measured no ReadyToRun build");
        var ratio = targetWorker / targetBare;
        BenchmarkReport.Add(new TargetCheck("cold start <= 1.5x bare builder (ReadyToRun)", ratio <= 1.5,
            BenchmarkReport.Invariant($"{targetWorker:F0} ms vs {targetBare:F0} ms = {ratio:F2}x ({build}); JIT {worker.Median / bareStats.Median:F2}x")));
        var templateRatio = targetWorker / targetTemplate;
        BenchmarkReport.Add(new TargetCheck("cold start <= 1.1x the template", templateRatio <= 1.1,
            BenchmarkReport.Invariant($"{targetWorker:F0} ms vs {targetTemplate:F0} ms = {templateRatio:F2}x ({build}); JIT {worker.Median / templateStats.Median:F2}x; worker CPU to loaded, JIT: {Stats.Of(workerCpuMs).Median:F0} vs {Stats.Of(templateCpuMs).Median:F0} ms = {Stats.Of(workerCpuMs).Median / Stats.Of(templateCpuMs).Median:F2}x")));
        output.WriteLine(BenchmarkReport.Save());

        Assert.Equal(repetitions, workerMs.Count);
    }

    private static void AddStartCpu(string build, List<double> worker, List<double> template) =>
        BenchmarkReport.Add(new BenchmarkRow(Scenario, $"worker CPU time, launch -> all functions loaded ({build})", "ms", Stats.Of(worker).Median, null, null,
            BenchmarkReport.Invariant($"medians of {worker.Count}, /proc/<pid>/stat utime+stime of the worker (all its threads) when loaded; app range {Range(Stats.Of(worker))}, template range {Range(Stats.Of(template))}"),
            Stats.Of(template).Median));

    private static string Range(Stats stats) => BenchmarkReport.Invariant($"{stats.Min:F0}-{stats.Max:F0} ms");

    /// <summary>
    /// Where the worker's start goes, milestone by milestone of the protocol (medians): until it
    /// opens its event stream (process, host build, gRPC connect), until it answers init, until
    /// every function is loaded; the template's worker beside it, and the bare builder's whole
    /// start as the yardstick.
    /// </summary>
    private static void AddMilestones(string build, List<WorkerStartupTimes> starts, List<WorkerStartupTimes> templateStarts, double bareMedian)
    {
        static double Median(List<WorkerStartupTimes> of, Func<WorkerStartupTimes, TimeSpan> milestone) => Stats.Of(of.Select(t => milestone(t).TotalMilliseconds)).Median;
        BenchmarkReport.Add(new BenchmarkRow(Scenario, $"worker launch -> StartStream ({build})", "ms", Median(starts, t => t.StartStream), "bare builder launch -> built", bareMedian,
            BenchmarkReport.Invariant($"medians of {starts.Count}: the app's process start, host build and gRPC connect"), Median(templateStarts, t => t.StartStream)));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, $"StartStream -> WorkerInitResponse ({build})", "ms",
            Median(starts, t => t.Initialized - t.StartStream), null, null, "medians of the differences", Median(templateStarts, t => t.Initialized - t.StartStream)));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, $"WorkerInitResponse -> all functions loaded ({build})", "ms",
            Median(starts, t => t.FunctionsLoaded - t.Initialized), null, null, "medians of the differences", Median(templateStarts, t => t.FunctionsLoaded - t.Initialized)));
    }

    /// <summary>
    /// Starts a worker (from the build output, or <paramref name="appDirectory"/>), times its start,
    /// reads the CPU time it spent starting, times its greetings, and stops it.
    /// </summary>
    private static async Task<WorkerStartupTimes> MeasureWorkerAsync(string? appDirectory, List<double> coldCallMs, List<double> warmCallMs, List<double> startCpuMs)
    {
        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions { AppSettings = Settings, AppDirectory = appDirectory ?? FunctionsAppOutput.Directory, EnableQueues = false });
        startCpuMs.Add(ProcessResources.Read(host.WorkerProcessId).CpuTime.TotalMilliseconds);
        using var http = new HttpClient { BaseAddress = host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri(host.HttpBaseAddress, "api/hello?name=Ada");
        coldCallMs.Add(await HttpLoad.TimeOneAsync(http, url));
        warmCallMs.AddRange(await HttpLoad.SequentialAsync(http, url, BenchmarkSettings.WarmCalls));
        return host.StartupTimes;
    }
}
