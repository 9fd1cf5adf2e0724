using System.Diagnostics;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Nothing lost, nothing doubled under load: thousands of mixed messages through the real queue
/// listener and worker, every one accounted for afterwards.
/// </summary>
[Collection(LoadAndFaultTests.Name)]
[Trait("Category", "Load")]
public sealed class LoadEndToEndTests(ITestOutputHelper output)
{
    private const int MessageCount = 2000;

    [Fact]
    public async Task MixedMessages_2000_EachProcessedOrDeadLetteredOnceWithOneReportPerIdAndOneNotificationPerKey()
    {
        // A private, on-disk Azurite: the shared in-memory one stalls after a few thousand deletes,
        // and this test should not slow the others down.
        await using var azurite = await PrivateAzurite.StartAsync();
        // Larger batches only for speed; maxDequeueCount, the visibility timeout and the app stay as deployed.
        await using var app = await AppUnderTest.StartAsync(azurite.Fixture, output: null, overrideQueueOptions: options =>
        {
            options.BatchSize = 32;
            options.NewBatchThreshold = 32;
        });
        try
        {
            var mix = WorkMix.Create(MessageCount, "load");
            output.WriteLine($"Worker start-up: {app.Host.StartupTimes}");
            output.WriteLine($"Sending {mix.Describe()}.");
            var clock = Stopwatch.StartNew();
            await mix.SendAsync(azurite.Queues.GetQueueClient(app.Storage.WorkItemsQueue));
            var sentAfter = clock.Elapsed;

            var finished = await WorkOutcome.WaitUntilAllHandledAsync(
                azurite.Queues, app.Storage, () => [app.Host], MessageCount, TimeSpan.FromMinutes(4));
            var elapsed = clock.Elapsed;
            var outcome = await WorkOutcome.ReadAsync(azurite.Queues, azurite.Blobs, app.Storage, [app.Host]);
            var attempts = app.Host.InvocationsOf(FunctionsApp.Functions.ProcessWorkItemFunction.Name);

            output.WriteLine($"Sent {MessageCount} in {sentAfter.TotalSeconds:F1} s; all handled after {elapsed.TotalSeconds:F1} s " +
                $"({MessageCount / elapsed.TotalSeconds:F0} messages/s): {finished}.");
            output.WriteLine($"Outcome: {outcome.Describe()}.");
            output.WriteLine($"Invocations: {attempts.Count} ({attempts.Count(a => !a.Succeeded)} failed and retried).");
            var problems = outcome.Violations(mix, allowedRepeatSends: 0, allowRetriesExhausted: false);
            Assert.True(problems.Count == 0, WorkOutcome.Report(problems));
            Assert.Equal(MessageCount, outcome.Processed.Count + outcome.DeadLetters.Count);
            Assert.Equal(mix.Valid, outcome.Processed.Count);
            Assert.Equal(mix.Invalid, outcome.DeadLetters.Count);
            // Each repeat is absorbed once; a redelivery after a failed attempt may add one more.
            var failedAttempts = attempts.Count(a => !a.Succeeded);
            Assert.InRange(outcome.DuplicatesSuppressed, mix.RepeatedKeys, mix.RepeatedKeys + failedAttempts);
            Assert.InRange(outcome.ReportsAlreadyExisting, mix.RepeatedReports, mix.RepeatedReports + failedAttempts);
        }
        finally
        {
            TroubleLines.WriteTo(output, app.Host.Logs, "worker");
        }
    }
}
