using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Dispatch;
using FunctionsApp.Functions;
using FunctionsHost.Rpc;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The operator's way back from an outage, through the real worker: a message parked after its
/// retries ran out is replayed over HTTP once the outage is over, and has its effect exactly once.
/// </summary>
public sealed class ReplayEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GenerateReport_ParkedAfterBlobOutage_ReplayedOverHttp_ReportWrittenOnceAndPoisonQueueEmpty()
    {
        var (blobPort, queuePort) = azurite.Server.OwnPorts("it puts a proxy in front of its blob port");

        await using var blobs = new SwitchableTcpProxy(blobPort, up: false);
        // Retries without the 10 s pause between them: each attempt already spends a second or so
        // in the Azure SDK's own retries. maxDequeueCount stays host.json's.
        await using var app = await AppUnderTest.StartAsync(
            azurite, output, AzuriteServer.BuildConnectionString(blobs.Port, queuePort),
            overrideQueueOptions: options => options.VisibilityTimeout = TimeSpan.Zero);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var body = $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";
        var originalId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, body);

        var parked = await Poll.UntilAsync(
            async () =>
            {
                var peeked = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.PoisonQueue);
                return (peeked.Count > 0 ? peeked : null, $"{app.Attempts(originalId).Count} attempt(s) so far; poison queue: {QueueProbes.Describe(peeked)}");
            },
            TimeSpan.FromSeconds(120),
            $"a retries_exhausted envelope in {app.Storage.PoisonQueue} while blob storage is down");
        using (var envelope = JsonDocument.Parse(Assert.Single(parked)))
        {
            Assert.Equal(FailureReasons.RetriesExhausted, envelope.RootElement.GetProperty("reason").GetString());
            Assert.Equal(originalId, envelope.RootElement.GetProperty("message_id").GetString());
            Assert.Equal(body, envelope.RootElement.GetProperty("original_body").GetString());
        }

        // Parking ends the last attempt; only then is the work queue empty and the outage over.
        await Poll.UntilAsync(
            async () =>
            {
                var left = await QueueProbes.CountAsync(azurite.Queues, app.Storage.WorkItemsQueue);
                var attempts = app.Attempts(originalId);
                var last = attempts.Count > 0 ? attempts[^1] : null;
                return (left == 0 && last is { Succeeded: true } ? "parked" : null, $"{left} message(s) in the work queue; last attempt: {Describe(last)}");
            },
            TimeSpan.FromSeconds(15),
            "the parking attempt to end and the work queue to be empty");
        Assert.Empty(await BlobNamesAsync(app.Storage.ReportsContainer));
        blobs.BringUp();

        using var client = new HttpClient { BaseAddress = app.Host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.PostAsync(new Uri("api/dead-letters/replay?reason=retries_exhausted", UriKind.Relative), content: null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 from the replay; got {(int)response.StatusCode}: {text}");
        using (var replay = JsonDocument.Parse(text))
        {
            Assert.True(replay.RootElement.GetProperty("moved").GetInt32() == 1, $"Expected moved=1; the replay answered: {text}");
            Assert.Equal(1, replay.RootElement.GetProperty("moved_by_reason").GetProperty(FailureReasons.RetriesExhausted).GetInt32());
            Assert.Equal(0, replay.RootElement.GetProperty("remaining").GetInt32());
        }

        // The replayed copy is a new queue message: its id, not the original's, is the report's source.
        var replayed = await Poll.UntilAsync(
            () =>
            {
                var done = app.Host.InvocationsOf(ProcessWorkItemFunction.Name)
                    .Where(r => r.TriggerValue("Id") != originalId && r.TriggerValue("QueueTrigger") == body)
                    .ToArray();
                return Task.FromResult<(InvocationRecord[]?, string)>(
                    (done.Length > 0 ? done : null, "no attempt of a replayed copy has ended"));
            },
            TimeSpan.FromSeconds(60),
            "the replayed message to be handled by the worker");
        var copy = Assert.Single(replayed);
        Assert.True(copy.Succeeded, $"Expected the replayed message to succeed now that blob storage is up: {copy.Response?.Result?.Exception?.Message}");
        Assert.Equal("1", copy.TriggerValue("DequeueCount"));

        var reports = await BlobsWithMetadataAsync(app.Storage.ReportsContainer);
        var report = Assert.Single(reports);
        Assert.Equal(reportId + ".json", report.Name);
        Assert.Equal(copy.TriggerValue("Id"), report.Metadata["source_message_id"]);

        await Poll.UntilAsync(
            async () =>
            {
                var poison = await QueueProbes.CountAsync(azurite.Queues, app.Storage.PoisonQueue);
                var left = await QueueProbes.CountAsync(azurite.Queues, app.Storage.WorkItemsQueue);
                return (poison == 0 && left == 0 ? "empty" : null, $"{poison} message(s) in {app.Storage.PoisonQueue}, {left} in the work queue");
            },
            TimeSpan.FromSeconds(15),
            "the poison queue and the work queue to be empty after the replay");
    }

    private static string Describe(InvocationRecord? attempt) =>
        attempt is null ? "none" : $"attempt {attempt.TriggerValue("DequeueCount")} {(attempt.Succeeded ? "succeeded" : "failed")}";

    private async Task<IReadOnlyList<string>> BlobNamesAsync(string containerName) =>
        (await BlobsWithMetadataAsync(containerName)).Select(b => b.Name).ToArray();

    private Task<IReadOnlyList<BlobItem>> BlobsWithMetadataAsync(string containerName) =>
        azurite.Blobs.GetBlobContainerClient(containerName).ListBlobsAsync();
}
