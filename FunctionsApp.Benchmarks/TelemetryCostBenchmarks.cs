using System.Diagnostics;
using FunctionsApp.Functions;
using FunctionsApp.Telemetry;
using FunctionsHost;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// What telemetry costs: the same app through the same host twice, one worker exporting traces,
/// metrics and logs over OTLP (to <see cref="OtlpSink"/>), the other with no exporter setting (no
/// provider, no listener), taking turns. Queue messages are delivered by the host straight to the
/// worker, 16 at a time, so the figures are the worker's (dispatch, spans, the report upload) and
/// not the listener's polling; the greeting is loaded at 16 clients.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class TelemetryCostBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "telemetry";
    private const string Off = "telemetry off";
    private const int Concurrency = 16;

    [Fact]
    public async Task Telemetry_ExportingNextToOff_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        await using var disk = await PrivateAzurite.StartAsync();
        await using var sink = await OtlpSink.StartAsync();
        var offStorage = new AppStorageNames();
        var onStorage = new AppStorageNames();
        var onSettings = onStorage.AppSettings(disk.Server.ConnectionString);
        onSettings[TelemetrySetup.OtlpEndpointSetting] = sink.Endpoint.ToString();
        onSettings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        await using var off = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory, AppSettings = offStorage.AppSettings(disk.Server.ConnectionString), EnableQueues = false,
        });
        await using var on = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory, AppSettings = onSettings, EnableQueues = false,
        });

        var messages = BenchmarkSettings.Quick ? 300 : 2000;
        var (warmup, duration) = (BenchmarkSettings.HttpWarmup, BenchmarkSettings.HttpDuration);
        // Warm both workers up (JIT, connections, containers), then measure in turns, reversed in the second round.
        await DeliverAsync(off, messages / 4);
        await DeliverAsync(on, messages / 4);
        var queue = new List<(Measured Off, Measured On)>();
        var http = new List<(Measured Off, Measured On)>();
        for (var round = 0; round < 2; round++)
        {
            var order = round == 0 ? new[] { off, on } : [on, off];
            var results = new Dictionary<WorkerHost, Measured>();
            foreach (var host in order)
            {
                results[host] = await DeliverAsync(host, messages);
            }

            queue.Add((results[off], results[on]));
            foreach (var host in order)
            {
                results[host] = await GreetAsync(host, warmup, duration);
            }

            http.Add((results[off], results[on]));
        }

        // The exporter's batches go out every few seconds; the last one after the run.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var conditions = BenchmarkReport.Invariant(
            $"2 rounds, order reversed; {messages:N0} generate_report messages per side and round, delivered {Concurrency} at a time; OTLP/HTTP to a local sink that received {sink.Exports:N0} exports, {sink.Bytes / 1024.0:N0} KiB");
        Add("queue, messages/s", "msg/s", queue, m => m.Rate, conditions);
        Add("queue, worker CPU per message", "ms", queue, m => m.CpuMs, conditions);
        var httpConditions = BenchmarkReport.Invariant($"{Concurrency} clients, {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up, 2 rounds");
        Add("greeting, requests/s", "req/s", http, m => m.Rate, httpConditions);
        Add("greeting, worker CPU per request", "ms", http, m => m.CpuMs, httpConditions);
        BenchmarkReport.Add(new BenchmarkRow(Scenario, "worker peak memory", "MB",
            ProcessResources.Read(on.WorkerProcessId).PeakResidentBytes / 1e6, Off, ProcessResources.Read(off.WorkerProcessId).PeakResidentBytes / 1e6, "after both rounds"));
        output.WriteLine(conditions);
        output.WriteLine(BenchmarkReport.Save());
        Assert.True(sink.Exports > 0, "the exporting worker sent nothing to the OTLP sink");
    }

    private static void Add(string metric, string unit, List<(Measured Off, Measured On)> rounds, Func<Measured, double> figure, string conditions)
    {
        var on = rounds.Average(r => figure(r.On));
        var off = rounds.Average(r => figure(r.Off));
        var perRound = string.Join(", ", rounds.Select(r => BenchmarkReport.Invariant($"{figure(r.On) / figure(r.Off):F2}x")));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"{metric}, exporting (OTLP)"), unit, on, Off, off, $"{conditions}; per round {perRound}"));
    }

    private sealed record Measured(double Rate, double CpuMs);

    private static async Task<Measured> DeliverAsync(WorkerHost host, int messages)
    {
        var before = ProcessResources.Read(host.WorkerProcessId);
        var started = Stopwatch.GetTimestamp();
        var next = 0;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= messages)
            {
                var body = $$"""{"action":"generate_report","report_id":"t-{{Guid.NewGuid():N}}","traceparent":"00-{{ActivityTraceId.CreateRandom()}}-{{ActivitySpanId.CreateRandom()}}-01"}""";
                var response = await host.DeliverQueueMessageAsync(ProcessWorkItemFunction.Name, Guid.NewGuid().ToString(), body, 1);
                if (response.Result?.Status != StatusResult.Types.Status.Success)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = ProcessResources.Read(host.WorkerProcessId);
        Assert.True(failures == 0, $"{failures} of {messages} deliveries failed");
        return new Measured(messages / elapsed.TotalSeconds, (after.CpuTime - before.CpuTime).TotalMilliseconds / messages);
    }

    private static async Task<Measured> GreetAsync(WorkerHost host, TimeSpan warmup, TimeSpan duration)
    {
        var before = ProcessResources.Read(host.WorkerProcessId);
        var load = await HttpLoad.RunAsync(new Uri(host.HttpBaseAddress, "api/hello?name=Ada"), Concurrency, warmup, duration);
        var after = ProcessResources.Read(host.WorkerProcessId);
        Assert.True(load.Errors == 0, $"{load.Errors} greeting requests failed");
        return new Measured(load.RequestsPerSecond, (after.CpuTime - before.CpuTime).TotalMilliseconds / (load.Requests + load.WarmupRequests));
    }
}
