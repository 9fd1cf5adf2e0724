using System.Diagnostics;
using FunctionsApp.Functions;
using FunctionsHost;
using FunctionsHost.Worker;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Scale-out as in Azure: three instances (host and worker each) drain one queue at once. One
/// worker is killed and one host stopped mid-run; every message is still processed or
/// dead-lettered, with one report per report id and one notification per key, within the
/// at-least-once windows the README allows.
/// </summary>
[Collection(LoadAndFaultTests.Name)]
public sealed class ScaleOutEndToEndTests(ITestOutputHelper output)
{
    private const int MessageCount = 1500;

    [Fact]
    public async Task ThreeInstancesOneQueue_WorkerKilledAndHostStopped_EveryMessageHandledOnce()
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        var storage = new AppStorageNames();
        var options = new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory,
            AppSettings = storage.AppSettings(azurite.Server.ConnectionString),
            // Messages of the killed invocations come back after 1 s instead of host.json's 10 s.
            OverrideQueueOptions = queues => queues.VisibilityTimeout = TimeSpan.FromSeconds(1),
        };
        var mix = WorkMix.Create(MessageCount, "scale");
        var hosts = (await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WorkerHost.StartAsync(options)))).ToList();
        var (crashing, stopping) = (hosts[0], hosts[1]);
        try
        {
            var sending = mix.SendAsync(azurite.Queues.GetQueueClient(storage.WorkItemsQueue));
            var atKill = await Poll.UntilAsync(
                () =>
                {
                    var done = WorkOutcome.CompletedIds(hosts).Count;
                    var seen = $"{done} completed, {crashing.PendingInvocations} in flight on instance 1";
                    return Task.FromResult<(string?, string)>((done >= 200 && crashing.PendingInvocations >= 2 ? seen : null, seen));
                },
                TimeSpan.FromSeconds(90),
                "200 messages completed and instance 1 busy");
            crashing.KillWorker();

            var atStop = await Poll.UntilAsync(
                () =>
                {
                    var done = WorkOutcome.CompletedIds(hosts).Count;
                    var seen = $"{done} completed, {stopping.PendingInvocations} in flight on instance 2";
                    return Task.FromResult<(string?, string)>((done >= 600 && stopping.PendingInvocations > 0 ? seen : null, seen));
                },
                TimeSpan.FromSeconds(90),
                "600 messages completed and instance 2 busy");
            var clock = Stopwatch.StartNew();
            await stopping.DisposeAsync();
            output.WriteLine($"Killed instance 1's worker at {atKill}; stopped instance 2 at {atStop} (the stop took {clock.Elapsed.TotalSeconds:F1} s).");
            await sending;

            var finished = await WorkOutcome.WaitUntilHandledOrHiddenAsync(
                azurite.Queues, storage, () => hosts, MessageCount, () => hosts[0].PendingInvocations + hosts[2].PendingInvocations, TimeSpan.FromMinutes(4));
            var outcome = await WorkOutcome.ReadAsync(azurite.Queues, azurite.Blobs, storage, hosts);
            var diedWithWorker = crashing.InvocationsOf(ProcessWorkItemFunction.Name).Count(a => a.Failure is WorkerUnavailableException);
            var shares = hosts.Select((h, i) => (Instance: i + 1, Completed: WorkOutcome.CompletedIds([h]).Count)).ToArray();

            output.WriteLine($"Afterwards: {finished}.");
            output.WriteLine($"Outcome: {outcome.Describe()}.");
            output.WriteLine("Shares: " + string.Join("; ", shares.Select(s => $"instance {s.Instance} completed {s.Completed}")) +
                $"; {diedWithWorker} invocation(s) died with instance 1's worker; workers of instance 1: {string.Join(", ", crashing.WorkerProcessIds)}.");
            if (outcome.LeftInWorkQueue > 0)
            {
                output.WriteLine($"{outcome.LeftInWorkQueue} message(s) the stopped listener had received are hidden until its receive lease ends: late, not lost.");
            }

            Assert.All(shares, s => Assert.True(s.Completed > 0, $"Expected every instance to take a share; instance {s.Instance} completed none."));
            Assert.True(crashing.WorkerProcessIds.Count >= 2, "Expected instance 1's host to start a new worker after the kill.");
            // A notification or envelope written by a killed invocation before it answered is written
            // again by its retry: at most one repeat per invocation that died with the worker.
            var problems = outcome.Violations(
                mix, allowedRepeatSends: diedWithWorker, allowRetriesExhausted: false, allowedRepeatDeadLetters: diedWithWorker,
                allowedStillQueued: HostJsonQueues.BatchSize);
            Assert.True(problems.Count == 0, WorkOutcome.Report(problems));
            Assert.Equal(MessageCount, outcome.Processed.Count + outcome.DeadLetteredIds.Count + outcome.LeftInWorkQueue);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            for (var i = 0; i < hosts.Count; i++)
            {
                TroubleLines.WriteTo(output, hosts[i].Logs, $"instance {i + 1}");
            }
        }
    }
}
