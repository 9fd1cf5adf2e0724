using System.Diagnostics;
using FunctionsApp.Functions;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// A storage outage mid-run loses nothing: attempts that fail while storage is down are retried
/// by the platform, and processing resumes by itself once storage is back.
/// </summary>
[Collection(LoadAndFaultTests.Name)]
public sealed class StorageOutageEndToEndTests(ITestOutputHelper output)
{
    private const int MessageCount = 400;

    // Long enough, with the seconds Azurite takes to stop and start, to fail the attempts in flight
    // (the app's in-attempt retries give up after about 1.5 s). Short enough for the WebJobs
    // listener's own calls (delete, release), which the Azure SDK retries for about 5.6 s, to get
    // through when storage returns: a release that fails for good leaves its message hidden for
    // the rest of the 10 minutes the listener receives messages for (not lost, but late).
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task StorageStoppedMidRun_StartedAgainOnSamePorts_ProcessingResumesAndNothingIsLost()
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        // A failed attempt's message is visible again after 1 s instead of host.json's 10 s, so the
        // test is short. maxDequeueCount stays host.json's 5: a message would need five failed
        // attempts to be parked, and one outage of a few seconds fails it at most once or twice.
        await using var app = await AppUnderTest.StartAsync(azurite.Fixture, output: null,
            overrideQueueOptions: options => options.VisibilityTimeout = TimeSpan.FromSeconds(1));
        try
        {
            var mix = WorkMix.Create(MessageCount, "outage");
            await mix.SendAsync(azurite.Queues.GetQueueClient(app.Storage.WorkItemsQueue));
            var atStop = await Poll.UntilAsync(
                () =>
                {
                    var done = WorkOutcome.CompletedIds([app.Host]).Count;
                    var seen = $"{done} completed, {app.Host.PendingInvocations} in flight";
                    return Task.FromResult<(string?, string)>((done >= 50 && app.Host.PendingInvocations > 0 ? seen : null, seen));
                },
                TimeSpan.FromSeconds(60),
                "some messages processed and more in flight");

            var inFlight = app.Host.PendingInvocations;
            var clock = Stopwatch.StartNew();
            await azurite.Server.StopAsync();
            var stopped = clock.Elapsed;
            // Azurite stops gracefully and may finish every request in flight, so whether the
            // queue's attempts meet the outage is chance. One attempt delivered straight to the
            // worker while storage is down, and awaited before it comes back, meets it for certain.
            var duringOutage = await app.Host.DeliverQueueMessageAsync(
                ProcessWorkItemFunction.Name, "outage-probe", """{"action":"generate_report","report_id":"outage-probe"}""", dequeueCount: 1);
            var rest = Outage - (clock.Elapsed - stopped);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }

            await azurite.Server.RestartAsync();
            var down = clock.Elapsed;
            var completedWhenBack = WorkOutcome.CompletedIds([app.Host]).Count;
            output.WriteLine($"Stopped Azurite at {atStop} (stopping took {stopped.TotalSeconds:F1} s); it was down {down.TotalSeconds:F1} s " +
                $"in all ({Outage.TotalSeconds:F0} s deliberate) and serving again on the same ports; {completedWhenBack} completed by then.");

            // A release of a failed attempt that fails for good during the outage leaves its message
            // hidden for the rest of the listener's 10-minute receive lease: in the queue, late, not lost.
            var finished = await WorkOutcome.WaitUntilHandledOrHiddenAsync(
                azurite.Queues, app.Storage, () => [app.Host], MessageCount, () => app.Host.PendingInvocations, TimeSpan.FromMinutes(2));
            var resumedFor = clock.Elapsed - down;
            var outcome = await WorkOutcome.ReadAsync(azurite.Queues, azurite.Blobs, app.Storage, [app.Host]);
            var attempts = app.Host.InvocationsOf(ProcessWorkItemFunction.Name);
            var failed = attempts.Count(a => !a.Succeeded);
            var parked = outcome.ParkedValid(mix);

            output.WriteLine($"{resumedFor.TotalSeconds:F1} s after storage came back: {finished}.");
            output.WriteLine($"{failed} failed attempt(s) (the probe and any queue attempts the outage met) retried by the platform; {parked.Count} valid message(s) parked as retries_exhausted.");
            output.WriteLine($"Outcome: {outcome.Describe()}.");
            if (outcome.LeftInWorkQueue > 0)
            {
                output.WriteLine($"{outcome.LeftInWorkQueue} message(s) whose release failed during the outage are hidden in the work queue " +
                    "until the listener's 10-minute receive lease ends: late, not lost.");
            }

            Assert.True(duringOutage.Result?.Status == StatusResult.Types.Status.Failure,
                $"Expected an attempt during the outage to fail (so the platform retries it); it ended {duringOutage.Result?.Status}.");
            Assert.True(WorkOutcome.CompletedIds([app.Host]).Count > completedWhenBack, $"Expected processing to resume after the outage; it stayed at {completedWhenBack} completed.");
            // Parked messages would be kept, not lost (replay returns them), but with this sizing none should be.
            Assert.True(parked.Count == 0,
                $"Expected no valid message to exhaust its retries in a {Outage.TotalSeconds:F0} s outage; {parked.Count} were parked: " +
                string.Join(", ", parked.Take(5).Select(p => $"#{p.Message.Index} {p.Reason}")));
            // A notification sent before the outage whose key could not be recorded is sent again on
            // the retry (the README's at-least-once case); at most one repeat per failed attempt.
            // Likewise an envelope written before the outage for a message whose delete then failed:
            // the message comes back and is parked again. At most one per message in flight.
            var problems = outcome.Violations(
                mix, allowedRepeatSends: failed, allowRetriesExhausted: false, allowedRepeatDeadLetters: inFlight, allowedStillQueued: inFlight + HostJsonQueues.BatchSize);
            Assert.True(problems.Count == 0, WorkOutcome.Report(problems));
            Assert.Equal(MessageCount, outcome.Processed.Count + outcome.DeadLetteredIds.Count + outcome.LeftInWorkQueue);
        }
        finally
        {
            TroubleLines.WriteTo(output, app.Host.Logs, "worker", max: 400);
        }
    }
}
