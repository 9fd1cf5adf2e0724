using System.Diagnostics;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// Stopping the host (a deployment, a scale-in) while messages are in flight loses none: the
/// invocations running finish, what was not taken stays in the queue, and the next host on the
/// same queues handles the rest.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class GracefulStopEndToEndTests(ITestOutputHelper output)
{
    private const int MessageCount = 400;

    [Fact]
    public async Task HostStoppedMidRun_NextHostOnSameQueues_EveryMessageProcessedOrDeadLetteredOnce()
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        var storage = new AppStorageNames();
        var options = new WorkerHostOptions { AppDirectory = FunctionsAppOutput.Directory, AppSettings = storage.AppSettings(azurite.Server.ConnectionString) };
        var mix = WorkMix.Create(MessageCount, "stop");
        var hosts = new List<WorkerHost>();
        WorkerHost? second = null;
        var first = await WorkerHost.StartAsync(options);
        hosts.Add(first);
        try
        {
            // Sent while the first host works, and the host stopped once it is busy: waiting for the
            // whole mix to be sent first let a fast host finish nearly all of it before the stop.
            var sending = mix.SendAsync(azurite.Queues.GetQueueClient(storage.WorkItemsQueue));
            var midRun = await Poll.UntilAsync(
                () =>
                {
                    var done = WorkOutcome.CompletedIds(hosts).Count;
                    var seen = $"{done} completed, {first.PendingInvocations} in flight";
                    return Task.FromResult<(string?, string)>((done >= 50 && first.PendingInvocations > 0 ? seen : null, seen));
                },
                TimeSpan.FromSeconds(60),
                "some messages processed and more in flight");

            var clock = Stopwatch.StartNew();
            await first.DisposeAsync();
            var stopped = clock.Elapsed;
            await sending;
            var byFirst = WorkOutcome.CompletedIds(hosts).Count;
            var firstAttempts = first.InvocationsOf(ProcessWorkItemFunction.Name);
            output.WriteLine($"Stopped the host at {midRun}; the stop took {stopped.TotalSeconds:F1} s; the first host completed {byFirst} " +
                $"in {firstAttempts.Count} invocation(s).");
            var cutShort = firstAttempts.Where(a => a.Failure is not null).ToArray();
            Assert.True(cutShort.Length == 0,
                $"Expected a graceful stop to let every invocation in flight finish; {cutShort.Length} ended without an answer: {cutShort.FirstOrDefault()?.Failure?.Message}");
            Assert.True(byFirst < MessageCount, $"Expected messages left for the second host; the first completed {byFirst} of {MessageCount}.");

            second = await WorkerHost.StartAsync(options);
            hosts.Add(second);
            // A batch the stopping listener had just received is abandoned by WebJobs (the Functions
            // host runs the same code): it stays in the queue, hidden for the rest of the listener's
            // 10-minute receive lease, then is delivered again. Wait until everything else is handled
            // and what is left has stayed hidden for a while.
            var finished = await WorkOutcome.WaitUntilHandledOrHiddenAsync(
                azurite.Queues, storage, () => hosts, MessageCount, () => second.PendingInvocations, TimeSpan.FromMinutes(3));
            var outcome = await WorkOutcome.ReadAsync(azurite.Queues, azurite.Blobs, storage, hosts);

            output.WriteLine($"After the second host: {finished}.");
            output.WriteLine($"Outcome: {outcome.Describe()}.");
            if (outcome.LeftInWorkQueue > 0)
            {
                output.WriteLine($"{outcome.LeftInWorkQueue} message(s) the stopped listener received and abandoned are hidden in the work queue " +
                    "until its 10-minute receive lease ends: late, not lost.");
            }

            var problems = outcome.Violations(mix, allowedRepeatSends: 0, allowRetriesExhausted: false, allowedStillQueued: HostJsonQueues.BatchSize);
            Assert.True(problems.Count == 0, WorkOutcome.Report(problems));
            Assert.Equal(MessageCount, outcome.Processed.Count + outcome.DeadLetters.Count + outcome.LeftInWorkQueue);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
                TroubleLines.WriteTo(output, second.Logs, "second host");
            }

            TroubleLines.WriteTo(output, first.Logs, "first host");
        }
    }
}
