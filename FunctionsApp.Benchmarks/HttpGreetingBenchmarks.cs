using FunctionsHost;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// GET /api/hello through the host's HTTP front and the worker, next to the template baseline's
/// greeting (func new's HttpTrigger, through the same host) and a bare ASP.NET Core minimal API
/// returning the app's JSON, at 1 and 16 concurrent clients in the same run; then the
/// two HTTP models side by side: the same small greeting function in a probe app on the built-in
/// model (RpcHttp over gRPC) and on ASP.NET Core integration (the request proxied to the worker).
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class HttpGreetingBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "HTTP greeting";
    private const string Path = "api/hello?name=Ada";
    private const string ProbePath = "api/Greet?name=Ada";

    [Fact]
    public async Task HttpGreeting_AppNextToTemplateAndBareAspNetCore_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };
        await using var bare = await BareGreetingServer.StartAsync();
        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions { AppDirectory = FunctionsAppOutput.Directory, AppSettings = settings, EnableQueues = false });
        await using var templateHost = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = await BaselineApps.DirectoryAsync("TemplateApp"),
            AppSettings = settings,
            EnableQueues = false,
        });
        var bareUrl = new Uri(bare.BaseAddress, Path);
        var (warmup, duration) = (BenchmarkSettings.HttpWarmup, BenchmarkSettings.HttpDuration);

        foreach (var (clients, index) in BenchmarkSettings.HttpClients.Select((c, i) => (c, i)))
        {
            // The limit first, then the app and the template, in turns (reversed at every other
            // concurrency): all see the machine as it is then.
            var baseline = await HttpLoad.RunAsync(bareUrl, clients, warmup, duration);
            var ((app, appCpu, appLogs), (templateLoad, templateCpu, templateLogs)) = index % 2 == 0
                ? (await MeasureAsync(host, Path, clients, warmup, duration), await MeasureAsync(templateHost, Path, clients, warmup, duration))
                : Swap(await MeasureAsync(templateHost, Path, clients, warmup, duration), await MeasureAsync(host, Path, clients, warmup, duration));
            output.WriteLine(Describe("bare", baseline));
            output.WriteLine(Describe("app", app));
            output.WriteLine(Describe("template", templateLoad));

            var conditions = BenchmarkReport.Invariant(
                $"{clients} client(s), {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up; app {app.Requests:N0} requests, {app.Errors} errors, {appLogs:F1} worker log lines per request; template {templateLoad.Requests:N0}, {templateLoad.Errors} errors, {templateLogs:F1} log lines per request; bare {baseline.Requests:N0}, {baseline.Errors} errors");
            const string Bare = "bare ASP.NET Core";
            BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"throughput, {clients} client(s)"), "req/s", app.RequestsPerSecond, Bare, baseline.RequestsPerSecond, conditions, templateLoad.RequestsPerSecond));
            BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"p50 latency, {clients} client(s)"), "ms", app.LatencyMs.Median, Bare, baseline.LatencyMs.Median, conditions, templateLoad.LatencyMs.Median));
            BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"p99 latency, {clients} client(s)"), "ms", app.LatencyMs.P99, Bare, baseline.LatencyMs.P99, conditions, templateLoad.LatencyMs.P99));

            if (clients != BenchmarkSettings.HttpClients[^1])
            {
                BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"worker CPU per request, {clients} client(s)"), "ms", appCpu, null, null,
                    "warm-up and measured requests; /proc/<pid>/stat utime+stime", templateCpu));
                continue;
            }

            WorkerCost.Add(Scenario, "greeting", FlexConsumptionPrices.FromEnvironment(),
                WorkerCost.Figures.Of(app.RequestsPerSecond, appCpu, ProcessResources.Read(host.WorkerProcessId)),
                WorkerCost.Figures.Of(templateLoad.RequestsPerSecond, templateCpu, ProcessResources.Read(templateHost.WorkerProcessId)),
                BenchmarkReport.Invariant($"{clients} clients, warm-up and measured requests"));
            var rpsRatio = app.RequestsPerSecond / baseline.RequestsPerSecond;
            var p50Ratio = app.LatencyMs.Median / baseline.LatencyMs.Median;
            BenchmarkReport.Add(new TargetCheck(
                BenchmarkReport.Invariant($"HTTP >= 0.5x bare req/s at {clients} clients, p50 <= 2x"),
                rpsRatio >= 0.5 && p50Ratio <= 2,
                BenchmarkReport.Invariant(
                    $"{app.RequestsPerSecond:F0} vs {baseline.RequestsPerSecond:F0} req/s = {rpsRatio:F2}x; p50 {app.LatencyMs.Median:F2} vs {baseline.LatencyMs.Median:F2} ms = {p50Ratio:F2}x")));
            var templateRatio = app.RequestsPerSecond / templateLoad.RequestsPerSecond;
            BenchmarkReport.Add(new TargetCheck(
                BenchmarkReport.Invariant($"HTTP req/s >= 0.9x the template at {clients} clients"),
                templateRatio >= 0.9,
                BenchmarkReport.Invariant(
                    $"{app.RequestsPerSecond:F0} vs {templateLoad.RequestsPerSecond:F0} req/s = {templateRatio:F2}x; worker CPU per request {appCpu:F3} vs {templateCpu:F3} ms = {appCpu / templateCpu:F2}x")));
        }

        await CompareModelsAsync(warmup, duration);
        output.WriteLine(BenchmarkReport.Save());
        Assert.NotEmpty(host.InvocationsOf("Hello"));
        Assert.NotEmpty(templateHost.InvocationsOf("HttpGreeting"));
    }

    private static (T, T) Swap<T>(T first, T second) => (second, first);

    /// <summary>The same greeting on both HTTP models through the same host, alternating at each concurrency.</summary>
    private async Task CompareModelsAsync(TimeSpan warmup, TimeSpan duration)
    {
        const string Model = "HTTP models";
        await using var builtIn = await StartProbeAsync("BuiltInHttp");
        await using var proxied = await StartProbeAsync("AspNetCoreHttp");
        foreach (var clients in BenchmarkSettings.HttpClients)
        {
            var (rpc, rpcCpu, _) = await MeasureAsync(builtIn, ProbePath, clients, warmup, duration);
            var (proxy, proxyCpu, _) = await MeasureAsync(proxied, ProbePath, clients, warmup, duration);
            output.WriteLine(Describe("built-in model", rpc));
            output.WriteLine(Describe("ASP.NET Core integration", proxy));
            var conditions = BenchmarkReport.Invariant(
                $"probe apps' Greet, {clients} client(s), {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up; {proxy.Errors} and {rpc.Errors} errors");
            const string Baseline = "built-in model (RpcHttp)";
            BenchmarkReport.Add(new BenchmarkRow(Model, BenchmarkReport.Invariant($"ASP.NET Core integration, throughput, {clients} client(s)"), "req/s", proxy.RequestsPerSecond, Baseline, rpc.RequestsPerSecond, conditions));
            BenchmarkReport.Add(new BenchmarkRow(Model, BenchmarkReport.Invariant($"ASP.NET Core integration, p50 latency, {clients} client(s)"), "ms", proxy.LatencyMs.Median, Baseline, rpc.LatencyMs.Median, conditions));
            BenchmarkReport.Add(new BenchmarkRow(Model, BenchmarkReport.Invariant($"ASP.NET Core integration, p99 latency, {clients} client(s)"), "ms", proxy.LatencyMs.P99, Baseline, rpc.LatencyMs.P99, conditions));
            BenchmarkReport.Add(new BenchmarkRow(Model, BenchmarkReport.Invariant($"ASP.NET Core integration, worker CPU per request, {clients} client(s)"), "ms", proxyCpu, Baseline, rpcCpu, conditions));
        }
    }

    private static async Task<WorkerHost> StartProbeAsync(string app) => await WorkerHost.StartAsync(new WorkerHostOptions
    {
        AppDirectory = FunctionsAppOutput.Of(System.IO.Path.Combine("FunctionsHost.Tests", "HostApps", app), app),
        AppSettings = new Dictionary<string, string>(),
        EnableQueues = false,
    });

    /// <summary>
    /// Load on one worker's greeting, and over warm-up and measurement the worker's CPU per request
    /// and the log lines the host received from it per request (each crossed gRPC).
    /// </summary>
    private static async Task<(HttpLoadResult Load, double WorkerCpuMsPerRequest, double LogLinesPerRequest)> MeasureAsync(WorkerHost host, string path, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var logsBefore = host.Logs.Count;
        var before = ProcessResources.Read(host.WorkerProcessId);
        var load = await HttpLoad.RunAsync(new Uri(host.HttpBaseAddress, path), clients, warmup, duration);
        var after = ProcessResources.Read(host.WorkerProcessId);
        var requests = load.Requests + load.WarmupRequests;
        return (load, (after.CpuTime - before.CpuTime).TotalMilliseconds / requests, (double)(host.Logs.Count - logsBefore) / requests);
    }

    private static string Describe(string name, HttpLoadResult result) => BenchmarkReport.Invariant(
        $"{name}: {result.Clients} client(s): {result.RequestsPerSecond:F0} req/s, p50 {result.LatencyMs.Median:F2} ms, p99 {result.LatencyMs.P99:F2} ms, {result.Errors} errors");
}
