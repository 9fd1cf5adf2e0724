using Azure.Storage.Blobs.Models;
using FunctionsHost.Rpc;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// A dependency that fails for a while, then recovers: the platform's retries carry the message
/// through, and its effect happens once, on the first attempt after the recovery.
/// </summary>
public sealed class TransientFailureEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GenerateReport_BlobStorageDownForTwoAttempts_ReportWrittenOnceOnTheThird()
    {
        const int failingAttempts = 2;
        var (blobPort, queuePort) = azurite.Server.OwnPorts("it puts a proxy in front of its blob port");

        await using var blobs = new SwitchableTcpProxy(blobPort, up: false);
        // Between attempts the message is invisible for the visibility timeout: 3 s instead of
        // host.json's 10 s keeps the test quick and still leaves ample time (the poll looks every
        // 100 ms) to bring the proxy up after attempt k has ended and before attempt k+1 begins.
        await using var app = await AppUnderTest.StartAsync(
            azurite, output, AzuriteServer.BuildConnectionString(blobs.Port, queuePort),
            overrideQueueOptions: options => options.VisibilityTimeout = TimeSpan.FromSeconds(3));
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            $$"""{"action":"generate_report","report_id":"{{reportId}}"}""");

        await WaitForAttemptsAsync(app, messageId, failingAttempts, "while blob storage is down");
        Assert.True(app.Host.PendingInvocations == 0,
            $"Expected no attempt in flight when blob storage comes back (the test's premise); {app.Host.PendingInvocations} pending after: {Describe(app.Attempts(messageId))}");
        blobs.BringUp();
        var attempts = await WaitForAttemptsAsync(app, messageId, failingAttempts + 1, "after blob storage came back");

        output.WriteLine($"The proxy reset {blobs.ResetConnections} connection(s) while down.");
        Assert.True(attempts.Count == failingAttempts + 1,
            $"Expected {failingAttempts + 1} attempts; saw {attempts.Count}: {Describe(attempts)}");
        Assert.All(attempts.Take(failingAttempts), a => Assert.False(a.Succeeded, $"Expected attempts 1-{failingAttempts} to fail: {Describe(attempts)}"));
        Assert.True(attempts[^1].Succeeded, $"Expected attempt {failingAttempts + 1} to succeed: {Describe(attempts)}");
        Assert.Equal(
            Enumerable.Range(1, failingAttempts + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            attempts.Select(a => a.TriggerValue("DequeueCount")));

        var reports = await BlobsWithMetadataAsync(app.Storage.ReportsContainer);
        var report = Assert.Single(reports);
        Assert.Equal(reportId + ".json", report.Name);
        Assert.Equal(messageId, report.Metadata["source_message_id"]);
        Assert.Single(app.Host.Logs.Find(e => e.EventId == "ReportStored"));

        // Nothing parked, nothing left: the message was deleted after its successful attempt.
        await Poll.UntilAsync(
            async () =>
            {
                var left = await QueueProbes.CountAsync(azurite.Queues, app.Storage.WorkItemsQueue);
                var parked = await QueueProbes.CountAsync(azurite.Queues, app.Storage.PoisonQueue);
                return (left == 0 && parked == 0 ? "settled" : null, $"{left} message(s) in the work queue, {parked} in {app.Storage.PoisonQueue}");
            },
            TimeSpan.FromSeconds(15),
            "an empty work queue and nothing in the poison queue");
        Assert.Empty(await BlobsWithMetadataAsync(app.Storage.DeadLetterContainer));
    }

    private static async Task<IReadOnlyList<InvocationRecord>> WaitForAttemptsAsync(AppUnderTest app, string messageId, int count, string when) =>
        await Poll.UntilAsync(
            () =>
            {
                var seen = app.Attempts(messageId);
                return Task.FromResult<(IReadOnlyList<InvocationRecord>?, string)>((seen.Count >= count ? seen : null, Describe(seen)));
            },
            TimeSpan.FromSeconds(60),
            $"{count} ended attempt(s) for message {messageId} {when}");


    private static string Describe(IReadOnlyList<InvocationRecord> attempts) =>
        attempts.Count == 0
            ? "no attempts"
            : string.Join("; ", attempts.Select(a => $"attempt {a.TriggerValue("DequeueCount")}: {(a.Succeeded ? "succeeded" : "failed")}"));

    private Task<IReadOnlyList<BlobItem>> BlobsWithMetadataAsync(string containerName) =>
        azurite.Blobs.GetBlobContainerClient(containerName).ListBlobsAsync();
}
