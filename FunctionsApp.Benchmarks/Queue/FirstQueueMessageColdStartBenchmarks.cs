using System.Diagnostics;
using FunctionsHost;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using FunctionsHost.Worker;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Cold start as a queue-triggered app meets it: a message waits in the queue, our host starts
/// (launches the worker, loads the functions, starts the listener), and the clock stops when the
/// first invocation has succeeded. The app and the template take turns, on the build users deploy
/// (ReadyToRun, as <c>azd up</c> publishes it), or the JIT build when ReadyToRun is off.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class FirstQueueMessageColdStartBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "cold start, first queue message";

    [Fact]
    public async Task FirstQueueMessage_AppNextToTemplate_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var readyToRun = BenchmarkSettings.ReadyToRun;
        var build = readyToRun ? "ReadyToRun" : "JIT";
        var app = readyToRun ? await BaselineApps.ReadyToRunDirectoryAsync("FunctionsApp") : FunctionsAppOutput.Directory;
        var template = readyToRun ? await BaselineApps.ReadyToRunDirectoryAsync("TemplateApp") : await BaselineApps.DirectoryAsync("TemplateApp");
        await using var azurite = await PrivateAzurite.StartAsync();
        var storage = await QueueStorage.PrepareAsync(azurite.Server, backlog: 0);
        var repetitions = BenchmarkSettings.ColdStartRepetitions;
        var starts = new Dictionary<string, List<Start>> { [app] = [], [template] = [] };
        var message = 0;

        // One unmeasured start each, so neither pays for filling the disk cache.
        await StartAsync(app, azurite.Server, storage, ++message);
        await StartAsync(template, azurite.Server, storage, ++message);
        for (var i = 0; i < repetitions; i++)
        {
            foreach (var directory in i % 2 == 0 ? new[] { app, template } : [template, app])
            {
                starts[directory].Add(await StartAsync(directory, azurite.Server, storage, ++message));
            }

            output.WriteLine(BenchmarkReport.Invariant($"repetition {i + 1}: app {starts[app][^1]}, template {starts[template][^1]}"));
        }

        double Median(string side, Func<Start, double> part) => Stats.Of(starts[side].Select(part)).Median;
        var conditions = BenchmarkReport.Invariant($"medians of {repetitions} starts each, {build}, app and template in turns; the message was queued before the host started");
        foreach (var (metric, part) in new (string, Func<Start, double>)[]
        {
            ("host start -> first queue message processed", s => s.FirstMessageMs),
            ("host start -> ready, less the worker's launch -> loaded (launch, gRPC, listener start)", s => s.ReadyMs - s.LoadedMs),
            ("worker launch -> StartStream (process, host build, gRPC connect)", s => s.Worker.StartStream.TotalMilliseconds),
            ("StartStream -> WorkerInitResponse", s => (s.Worker.Initialized - s.Worker.StartStream).TotalMilliseconds),
            ("WorkerInitResponse -> all functions loaded", s => (s.Worker.FunctionsLoaded - s.Worker.Initialized).TotalMilliseconds),
            ("host ready (listener started) -> first message processed", s => s.FirstMessageMs - s.ReadyMs),
        })
        {
            BenchmarkReport.Add(new BenchmarkRow(Scenario, $"{metric} ({build})", "ms", Median(app, part), null, null, conditions, Median(template, part)));
        }

        output.WriteLine(BenchmarkReport.Save());
    }

    /// <summary>
    /// One start, from before the host starts: until it returns (worker loaded, listener started)
    /// and until the first invocation succeeded; the worker's own milestones from its launch beside them.
    /// </summary>
    private sealed record Start(double ReadyMs, WorkerStartupTimes Worker, double FirstMessageMs)
    {
        public double LoadedMs => Worker.FunctionsLoaded.TotalMilliseconds;

        public override string ToString() => BenchmarkReport.Invariant($"ready {ReadyMs:F0} ms (worker loaded {LoadedMs:F0} ms after launch), first message {FirstMessageMs:F0} ms");
    }

    private static async Task<Start> StartAsync(string appDirectory, AzuriteServer azurite, QueueStorage storage, int message)
    {
        await storage.Queue.SendMessageAsync(ReportWork.Message(message));
        var processed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.GetTimestamp();
        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = appDirectory,
            AppSettings = QueueSide.AppSettings(azurite.ConnectionString),
            EnableHttp = false,
            InvocationEnded = (_, response) =>
            {
                if (response.Result?.Status == StatusResult.Types.Status.Success)
                {
                    processed.TrySetResult(Stopwatch.GetTimestamp());
                }
            },
        });
        var ready = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var first = await processed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        return new Start(ready, host.StartupTimes, Stopwatch.GetElapsedTime(started, first).TotalMilliseconds);
    }
}
