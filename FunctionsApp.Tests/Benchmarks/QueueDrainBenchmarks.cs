using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Functions;
using FunctionsApp.Tests.Infrastructure;
using FunctionsApp.Tests.Infrastructure.FunctionsHost;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.Benchmarks;

/// <summary>
/// A backlog of generate_report messages drained by the test host (the real WebJobs queue
/// listener) and the worker, next to <see cref="IdealQueueDispatcher"/> with the same fetch
/// concurrency. Each side gets a fresh, warmed-up Azurite with the same layout and the same
/// backlog, so neither inherits the other's data.
/// </summary>
[Collection(SequentialBenchmarks.Name)]
[Trait("Category", SequentialBenchmarks.Category)]
public sealed class QueueDrainBenchmarks(ITestOutputHelper output)
{
    private const string Scenario = "queue drain";
    private const string QueueName = "bench-work-items";
    private const string ContainerName = "bench-reports";

    [Fact]
    public async Task QueueDrain_AppNextToIdealDispatcher_Measured()
    {
        BenchmarkReport.Begin(Scenario);
        var backlog = BenchmarkSettings.QueueBacklog;
        var rounds = BenchmarkSettings.QueueRounds;
        var (batchSize, newBatchThreshold) = ReadListenerSettings();
        var concurrency = batchSize + newBatchThreshold;
        var timeout = TimeSpan.FromSeconds(Math.Max(120, backlog / 5.0));

        // The first messages pay for JIT in the worker and the listener: the rate after them is given too.
        var warmCount = Math.Min(2 * concurrency, backlog / 4);
        var ideal = new List<Drain>();
        var app = new List<Drain>();
        ProcessResources? appResources = null;
        var appCpu = TimeSpan.Zero;

        // Rounds alternate which side goes first (ideal-app, app-ideal, ...), so a machine that gets
        // busier or quieter during the run weighs on both alike.
        for (var round = 0; round < rounds; round++)
        {
            foreach (var idealSide in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (idealSide)
                {
                    ideal.Add(await DrainIdealAsync(backlog, warmCount, batchSize, newBatchThreshold, timeout));
                }
                else
                {
                    var (drain, before, after) = await DrainAppAsync(backlog, warmCount, timeout);
                    app.Add(drain);
                    appCpu += after.CpuTime - before.CpuTime;
                    appResources = appResources is null || after.PeakResidentBytes > appResources.PeakResidentBytes ? after : appResources;
                }

                output.WriteLine(BenchmarkReport.Invariant($"round {round + 1}, {(idealSide ? "ideal" : "app")}: {backlog / (idealSide ? ideal : app)[^1].Total.TotalSeconds:F1} msg/s"));
            }
        }

        // Rates over all rounds: messages drained / time spent draining them.
        var appRate = rounds * backlog / app.Sum(d => d.Total.TotalSeconds);
        var idealRate = rounds * backlog / ideal.Sum(d => d.Total.TotalSeconds);
        var appSteady = rounds * (backlog - warmCount) / app.Sum(d => (d.Last - d.Warm).TotalSeconds);
        var idealSteady = rounds * (backlog - warmCount) / ideal.Sum(d => (d.Last - d.Warm).TotalSeconds);
        var perRound = string.Join(", ", app.Zip(ideal, (a, i) => (i.Total / a.Total).ToString("F2", CultureInfo.InvariantCulture) + "x"));
        var conditions = BenchmarkReport.Invariant(
            $"backlog {backlog:N0} messages, {rounds} round(s) per side, order alternating; batchSize {batchSize}, newBatchThreshold {newBatchThreshold} (up to {concurrency} in flight); app/ideal per round {perRound}");
        output.WriteLine(conditions);
        BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"drain rate, backlog {backlog:N0}"), "msg/s", appRate, "ideal SDK dispatcher", idealRate, conditions));
        BenchmarkReport.Add(new BenchmarkRow(Scenario, BenchmarkReport.Invariant($"drain rate after the first {warmCount}, backlog {backlog:N0}"), "msg/s", appSteady, "ideal SDK dispatcher", idealSteady,
            BenchmarkReport.Invariant($"messages {warmCount + 1}-{backlog} of the same drains, first to last completion")));
        var ratio = appRate / idealRate;
        BenchmarkReport.Add(new TargetCheck("queue >= 0.8x ideal", ratio >= 0.8,
            BenchmarkReport.Invariant($"{appRate:F0} vs {idealRate:F0} msg/s = {ratio:F2}x at backlog {backlog:N0} ({rounds} round(s); per round {perRound})")));

        var cpuPer1000 = appCpu.TotalSeconds / (rounds * backlog) * 1000;
        // Executions overlap: with the listener's concurrency kept full, each one lasts about
        // concurrency x drain time / backlog (an upper bound, which the tail of the drain inflates).
        var secondsPerExecution = concurrency / appRate;
        WorkerCost.Add(Scenario, "messages", ConsumptionPrices.FromEnvironment(), appResources!, cpuPer1000, secondsPerExecution,
            BenchmarkReport.Invariant($"backlog {backlog:N0}, {rounds} round(s), includes the worker's first-message JIT"));
        output.WriteLine(BenchmarkReport.Save());
    }

    /// <summary>One drain of the backlog from one side; times from its start.</summary>
    private sealed record Drain(TimeSpan Total, TimeSpan Warm, TimeSpan Last);

    private static async Task<Drain> DrainIdealAsync(int backlog, int warmCount, int batchSize, int newBatchThreshold, TimeSpan timeout)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var (queue, reports) = await PrepareAsync(azurite, backlog);
        var ideal = new IdealQueueDispatcher(queue, reports, batchSize, newBatchThreshold);
        using var cancel = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        await ideal.DrainAsync(backlog, cancel.Token);
        var drain = new Drain(clock.Elapsed, ideal.CompletedAt(warmCount), ideal.CompletedAt(backlog));
        await EnsureDrainedAsync(queue, reports, backlog, "ideal dispatcher");
        return drain;
    }

    private static async Task<(Drain Drain, ProcessResources Before, ProcessResources After)> DrainAppAsync(int backlog, int warmCount, TimeSpan timeout)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var (queue, reports) = await PrepareAsync(azurite, backlog);
        await using var host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
        {
            AppSettings = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["WorkItemsQueueName"] = QueueName,
                ["Reports__ContainerName"] = ContainerName,
            },
            EnableHttp = false,
        });
        // The listener polls as soon as it starts, at the end of StartAsync; the clock starts here.
        var clock = Stopwatch.StartNew();
        var before = ProcessResources.Read(host.WorkerProcessId);
        var warm = await WaitForInvocationsAsync(host, warmCount, clock, timeout);
        var last = await WaitForInvocationsAsync(host, backlog, clock, timeout);
        await WaitForEmptyQueueAsync(queue, timeout);
        var drain = new Drain(clock.Elapsed, warm, last);
        var after = ProcessResources.Read(host.WorkerProcessId);
        await EnsureDrainedAsync(queue, reports, backlog, "app");
        return (drain, before, after);
    }

    /// <summary>host.json's fetch settings, which the ideal loop copies.</summary>
    private static (int BatchSize, int NewBatchThreshold) ReadListenerSettings()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionsAppOutput.HostJsonPath));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        return (queues.GetProperty("batchSize").GetInt32(), queues.GetProperty("newBatchThreshold").GetInt32());
    }

    /// <summary>Warms Azurite up, then creates the work queue and the reports container and fills the backlog.</summary>
    private static async Task<(QueueClient Queue, BlobContainerClient Reports)> PrepareAsync(AzuriteServer azurite, int backlog)
    {
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var blobs = new BlobServiceClient(azurite.ConnectionString);

        // Warm-up: every kind of request both sides make, so neither pays Azurite's (or the SDK's) first calls.
        var warmQueue = queues.GetQueueClient("bench-warm-up");
        var warmContainer = blobs.GetBlobContainerClient("bench-warm-up");
        await warmQueue.CreateIfNotExistsAsync();
        await warmContainer.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            await warmQueue.SendMessageAsync("warm-up", token);
            await warmContainer.GetBlobClient(i.ToString(CultureInfo.InvariantCulture)).UploadAsync(BinaryData.FromString("{}"), token);
        });
        while ((await warmQueue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                await warmQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        var queue = queues.GetQueueClient(QueueName);
        var reports = blobs.GetBlobContainerClient(ContainerName);
        await queue.CreateIfNotExistsAsync();
        await reports.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, backlog), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
            await queue.SendMessageAsync(BenchmarkReport.Invariant($$"""{"action":"generate_report","report_id":"bench-{{i:D6}}"}"""), token));
        return (queue, reports);
    }

    /// <summary>Waits for <paramref name="count"/> successful invocations; returns when they were seen on <paramref name="clock"/>.</summary>
    private static async Task<TimeSpan> WaitForInvocationsAsync(FunctionsTestHost host, int count, Stopwatch clock, TimeSpan timeout)
    {
        while (true)
        {
            var ended = host.InvocationsOf(ProcessWorkItemFunction.Name);
            var succeeded = ended.Count(i => i.Succeeded);
            if (succeeded >= count)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"Expected {count} successful ProcessWorkItem invocations within {timeout.TotalSeconds} s; saw {succeeded} succeeded and {ended.Count - succeeded} failed.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitForEmptyQueueAsync(QueueClient queue, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        int left;
        while ((left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount) > 0)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Expected the work queue to be empty within {timeout.TotalSeconds} s; {left} message(s) are left.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Both sides must have done the same work: every report written, no message left.</summary>
    private static async Task EnsureDrainedAsync(QueueClient queue, BlobContainerClient reports, int backlog, string who)
    {
        var blobs = 0;
        await foreach (var page in reports.GetBlobsAsync().AsPages())
        {
            blobs += page.Values.Count;
        }

        var left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        if (blobs != backlog || left != 0)
        {
            throw new InvalidOperationException($"The {who} drain is incomplete: {blobs} of {backlog} report blobs, {left} message(s) left in the queue.");
        }
    }
}
