using System.Diagnostics;
using FunctionsApp.Functions;
using FunctionsHost.Worker;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// A worker that crashes mid-run loses nothing: the host starts a new worker by itself, the
/// invocations that died with the old one fail back to the queue listener, and their messages come
/// back after the visibility timeout and are processed by the new worker.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class WorkerCrashEndToEndTests(ITestOutputHelper output)
{
    private const int MessageCount = 400;

    [Fact]
    public async Task WorkerKilledWithInvocationsInFlight_HostStartsNewWorker_EveryMessageProcessedOrDeadLettered()
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        // The messages of the killed invocations come back after the visibility timeout: 1 s instead
        // of host.json's 10 s keeps the test short. maxDequeueCount stays host.json's.
        await using var app = await AppUnderTest.StartAsync(azurite.Fixture, output: null,
            overrideQueueOptions: options => options.VisibilityTimeout = TimeSpan.FromSeconds(1));
        try
        {
            var mix = WorkMix.Create(MessageCount, "crash");
            await mix.SendAsync(azurite.Queues.GetQueueClient(app.Storage.WorkItemsQueue));
            var killed = app.Host.WorkerProcessId;
            var atKill = await Poll.UntilAsync(
                () =>
                {
                    var done = app.Host.InvocationsOf(ProcessWorkItemFunction.Name).Count(a => a.Succeeded);
                    var seen = $"{done} invocation(s) completed, {app.Host.PendingInvocations} in flight";
                    return Task.FromResult<(string?, string)>((done >= 20 && app.Host.PendingInvocations >= 4 ? seen : null, seen));
                },
                TimeSpan.FromSeconds(60),
                "some invocations completed and at least 4 in flight");

            app.Host.KillWorker();
            var clock = Stopwatch.StartNew();
            var workers = await Poll.UntilAsync(
                () =>
                {
                    var ids = app.Host.WorkerProcessIds;
                    return Task.FromResult<(IReadOnlyList<int>?, string)>((ids.Count >= 2 ? ids : null, $"workers {string.Join(", ", ids)}"));
                },
                TimeSpan.FromSeconds(30),
                $"a new worker started by the host after worker {killed} was killed");
            var restartedAfter = clock.Elapsed;
            var finished = await WorkOutcome.WaitUntilAllHandledAsync(
                azurite.Queues, app.Storage, () => [app.Host], MessageCount, TimeSpan.FromMinutes(3));
            var outcome = await WorkOutcome.ReadAsync(azurite.Queues, azurite.Blobs, app.Storage, [app.Host]);
            var attempts = app.Host.InvocationsOf(ProcessWorkItemFunction.Name);
            var diedWithWorker = attempts.Where(a => a.Failure is WorkerUnavailableException).ToArray();

            output.WriteLine($"Killed worker {killed} at {atKill}; worker {workers[^1]} was serving {restartedAfter.TotalSeconds:F1} s later.");
            output.WriteLine($"{diedWithWorker.Length} invocation(s) died with the worker; afterwards: {finished}.");
            output.WriteLine($"Outcome: {outcome.Describe()}.");
            output.WriteLine($"Invocations: {attempts.Count}; failed: " +
                string.Join(", ", attempts.Where(a => !a.Succeeded).GroupBy(a => a.Failure?.GetType().Name ?? a.Response?.Result?.Exception?.Message ?? "?").Select(g => $"{g.Key} x{g.Count()}")));
            Assert.Equal(2, workers.Count);
            Assert.NotEqual(killed, workers[^1]);
            Assert.True(diedWithWorker.Length > 0, $"Expected invocations in flight to fail with the killed worker; none did ({atKill}).");
            var retried = attempts.Where(a => a.Succeeded).Select(a => a.TriggerValue("Id")).ToHashSet();
            var notRetried = diedWithWorker.Select(a => a.TriggerValue("Id")).Where(id => !retried.Contains(id)).ToArray();
            Assert.True(notRetried.Length == 0,
                $"Expected every message whose invocation died with the worker to be retried and completed; {notRetried.Length} were not: {string.Join(", ", notRetried.Take(5))}");

            // A notification sent by the killed worker before it recorded the key is sent again on
            // the retry (the README's at-least-once case), and an envelope it wrote before it could
            // answer is written again: at most one repeat of either per killed invocation.
            var problems = outcome.Violations(
                mix, allowedRepeatSends: diedWithWorker.Length, allowRetriesExhausted: false, allowedRepeatDeadLetters: diedWithWorker.Length);
            Assert.True(problems.Count == 0, WorkOutcome.Report(problems));
            Assert.Equal(MessageCount, outcome.Processed.Count + outcome.DeadLetteredIds.Count);
        }
        finally
        {
            TroubleLines.WriteTo(output, app.Host.Logs, "workers");
        }
    }
}
