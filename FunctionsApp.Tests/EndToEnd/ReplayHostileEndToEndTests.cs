using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Dispatch;
using FunctionsApp.Replay;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Replay against a hostile producer, through the real worker: each case puts a crafted message
/// straight into the dead-letter queue, as anyone who can write to that queue could, and calls the
/// replay over HTTP. What the app cannot prove it wrote stays parked and is counted in the answer;
/// no blob outside its own is read or deleted, and nothing reaches the work queue. The queue
/// listener is off, so the work queue shows exactly what the replay sent.
/// </summary>
public sealed class ReplayHostileEndToEndTests(HttpAppFixture fixture) : IClassFixture<HttpAppFixture>, IAsyncLifetime
{
    private const string VictimText = """{"report_id":"victim","secret":"do not touch"}""";
    private const string Body = """{"action":"generate_report","report_id":"r-hostile"}""";

    private readonly string id = Guid.NewGuid().ToString();

    private AppStorageNames Storage => fixture.App.Storage;

    private BlobContainerClient DeadLetterBodies => fixture.Azurite.Blobs.GetBlobContainerClient(Storage.DeadLetterContainer);

    private BlobContainerClient Reports => fixture.Azurite.Blobs.GetBlobContainerClient(Storage.ReportsContainer);

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    /// <summary>Each case: what it puts in storage besides the envelope, the envelope, and the refusal it must get.</summary>
    private static Dictionary<string, (Func<ReplayHostileEndToEndTests, Task<string>> Arrange, string Refusal)> Cases => new()
    {
        ["the reported exploit: a path to another container, and an id that is no id"] = (
            t => Task.FromResult(Envelope("invalid_json", "x1", blob: $"../{t.Storage.ReportsContainer}/victim.json")),
            ReplayRefusals.InvalidMessageId),
        ["dot-dot in the blob field"] = (
            t => Task.FromResult(Envelope("invalid_json", t.id, blob: $"../{t.Storage.ReportsContainer}/victim.json")),
            ReplayRefusals.InvalidBodyBlob),
        ["a slash in the blob field"] = (
            t => Task.FromResult(Envelope("unknown_action", t.id, blob: $"{t.Storage.ReportsContainer}/victim.json")),
            ReplayRefusals.InvalidBodyBlob),
        ["an absolute URL in the blob field"] = (
            t => Task.FromResult(Envelope("unknown_action", t.id, blob: t.Reports.GetBlobClient("victim.json").Uri.ToString())),
            ReplayRefusals.InvalidBodyBlob),
        ["a blob name of another message"] = (
            t => Task.FromResult(Envelope("unknown_action", t.id, blob: QueueDeadLetterSink.BodyBlobName(Guid.NewGuid().ToString()))),
            ReplayRefusals.InvalidBodyBlob),
        ["a blob in another container"] = (
            async t =>
            {
                await UploadAsync(t.Reports, QueueDeadLetterSink.BodyBlobName(t.id), Body, stampFor: t.id);
                return Envelope("unknown_action", t.id, blob: QueueDeadLetterSink.BodyBlobName(t.id));
            },
            ReplayRefusals.BodyBlobMissing),
        ["a blob without the stamp"] = (
            async t =>
            {
                await UploadAsync(t.DeadLetterBodies, QueueDeadLetterSink.BodyBlobName(t.id), Body, stampFor: null);
                return Envelope("unknown_action", t.id, blob: QueueDeadLetterSink.BodyBlobName(t.id));
            },
            ReplayRefusals.BodyBlobNotOurs),
        ["a blob stamped for another message"] = (
            async t =>
            {
                await UploadAsync(t.DeadLetterBodies, QueueDeadLetterSink.BodyBlobName(t.id), Body, stampFor: Guid.NewGuid().ToString());
                return Envelope("unknown_action", t.id, blob: QueueDeadLetterSink.BodyBlobName(t.id));
            },
            ReplayRefusals.BodyBlobNotOurs),
        ["a missing blob"] = (
            t => Task.FromResult(Envelope("retries_exhausted", t.id, blob: QueueDeadLetterSink.BodyBlobName(t.id))),
            ReplayRefusals.BodyBlobMissing),
        ["a 70 KiB blob"] = (
            async t =>
            {
                await UploadAsync(t.DeadLetterBodies, QueueDeadLetterSink.BodyBlobName(t.id), new string('x', 70 * 1024), stampFor: t.id);
                return Envelope("unknown_action", t.id, blob: QueueDeadLetterSink.BodyBlobName(t.id));
            },
            ReplayRefusals.BodyTooLarge),
        ["a message_id that is not a queue message id"] = (
            t => Task.FromResult(Envelope("unknown_action", "../../victim", body: Body)),
            ReplayRefusals.InvalidMessageId),
        ["a reason of 60 KB"] = (
            t => Task.FromResult(Envelope(new string('r', 60_000), t.id, body: Body)),
            ReplayRefusals.InvalidReason),
        ["an inline body and a blob"] = (
            t => Task.FromResult(Envelope("unknown_action", t.id, body: Body, blob: QueueDeadLetterSink.BodyBlobName(t.id))),
            ReplayRefusals.InvalidBodyBlob),
    };

    public async Task InitializeAsync()
    {
        // A victim in the app's own reports container, and one body blob stamped as ours for
        // another message, which no crafted envelope may reach.
        await UploadAsync(Reports, "victim.json", VictimText, stampFor: null);
        await UploadAsync(DeadLetterBodies, "victim.txt", VictimText, stampFor: "victim");
        await fixture.Azurite.Queues.GetQueueClient(Storage.PoisonQueue).CreateIfNotExistsAsync();
        await fixture.Azurite.Queues.GetQueueClient(Storage.WorkItemsQueue).CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        // Each case starts from empty queues and containers.
        await fixture.Azurite.Queues.GetQueueClient(Storage.PoisonQueue).ClearMessagesAsync();
        await fixture.Azurite.Queues.GetQueueClient(Storage.WorkItemsQueue).ClearMessagesAsync();
        foreach (var container in new[] { Reports, DeadLetterBodies })
        {
            foreach (var blob in await container.ListBlobsAsync())
            {
                await container.DeleteBlobIfExistsAsync(blob.Name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task CraftedEnvelope_IsKeptParkedAndReported_AndTouchesNothing(string caseName)
    {
        var (arrange, refusal) = Cases[caseName];
        var envelope = await arrange(this);
        await QueueProbes.SendAsync(fixture.Azurite.Queues, Storage.PoisonQueue, envelope);
        var blobsBefore = await SnapshotAsync();

        var answer = await ReplayAsync("");

        Assert.True(answer.GetProperty("failed").GetInt32() == 1, $"Expected failed=1: {answer}");
        Assert.Equal(1, answer.GetProperty("failed_by_reason").GetProperty(refusal).GetInt32());
        Assert.Equal(0, answer.GetProperty("moved").GetInt32());
        Assert.Empty(await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.WorkItemsQueue));
        // Still parked, as it was, and visible at once for an operator to look at.
        Assert.Equal(envelope, Assert.Single(await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.PoisonQueue)));
        Assert.Equal(blobsBefore, await SnapshotAsync());
        Assert.Equal(VictimText, (await Reports.GetBlobClient("victim.json").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task BatchWithMessagesThatCannotMove_MovesTheRestAndAnswers200()
    {
        var good = Guid.NewGuid().ToString();
        var tooLarge = Guid.NewGuid().ToString();
        await UploadAsync(DeadLetterBodies, QueueDeadLetterSink.BodyBlobName(tooLarge), new string('x', 70 * 1024), stampFor: tooLarge);
        foreach (var text in new[]
        {
            Envelope("unknown_action", id, blob: QueueDeadLetterSink.BodyBlobName(id)),
            Envelope("unknown_action", good, body: Body),
            Envelope("unknown_action", tooLarge, blob: QueueDeadLetterSink.BodyBlobName(tooLarge)),
        })
        {
            await QueueProbes.SendAsync(fixture.Azurite.Queues, Storage.PoisonQueue, text);
        }

        var answer = await ReplayAsync("");

        Assert.Equal(1, answer.GetProperty("moved").GetInt32());
        Assert.Equal(2, answer.GetProperty("failed").GetInt32());
        Assert.Equal(1, answer.GetProperty("failed_by_reason").GetProperty(ReplayRefusals.BodyBlobMissing).GetInt32());
        Assert.Equal(1, answer.GetProperty("failed_by_reason").GetProperty(ReplayRefusals.BodyTooLarge).GetInt32());
        Assert.Equal(Body, Assert.Single(await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.WorkItemsQueue)));
        Assert.Equal(2, (await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.PoisonQueue)).Count);
    }

    [Fact]
    public async Task BlobBodyParkedTwice_CopiesReplayedInTwoCalls_GoesBackOnce()
    {
        // The worker stopped after parking a large body but before the queue deleted the message:
        // the redelivery parked it again, and both envelopes name the one blob.
        var blobName = QueueDeadLetterSink.BodyBlobName(id);
        await UploadAsync(DeadLetterBodies, blobName, Body, stampFor: id);
        for (var copy = 0; copy < 2; copy++)
        {
            await QueueProbes.SendAsync(fixture.Azurite.Queues, Storage.PoisonQueue, Envelope("unknown_action", id, blob: blobName));
        }

        var first = await ReplayAsync("?max=1");
        var second = await ReplayAsync("");

        Assert.Equal(1, first.GetProperty("moved").GetInt32());
        Assert.Equal(0, second.GetProperty("moved").GetInt32());
        Assert.Equal(1, second.GetProperty("duplicates_dropped").GetInt32());
        Assert.Equal(0, second.GetProperty("failed").GetInt32());
        Assert.Equal(Body, Assert.Single(await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.WorkItemsQueue)));
        Assert.Empty(await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, Storage.PoisonQueue));
        // The body is gone; an empty marker keeps later copies out.
        var marker = (await DeadLetterBodies.GetBlobClient(blobName).GetPropertiesAsync()).Value;
        Assert.Equal(0, marker.ContentLength);
        Assert.True(marker.Metadata.ContainsKey(QueueDeadLetterReplayer.ReplayedAtMetadata));
    }

    private static string Envelope(string reason, string messageId, string? body = null, string? blob = null)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["reason"] = reason,
            ["description"] = "crafted",
            ["message_id"] = messageId,
            ["dequeue_count"] = 1,
            ["failed_at"] = "2026-12-06T12:00:00+00:00",
        };
        if (body is not null)
        {
            envelope["original_body"] = body;
        }

        if (blob is not null)
        {
            envelope["original_body_blob"] = blob;
        }

        return JsonSerializer.Serialize(envelope);
    }

    private static async Task UploadAsync(BlobContainerClient container, string name, string text, string? stampFor)
    {
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), new BlobUploadOptions
        {
            Metadata = stampFor is null ? null : new Dictionary<string, string> { [QueueDeadLetterSink.ParkedMessageIdMetadata] = stampFor },
        });
    }

    /// <summary>Every blob of both containers with its size and version.</summary>
    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var container in new[] { Reports, DeadLetterBodies })
        {
            foreach (var blob in await container.ListBlobsAsync())
            {
                lines.Add($"{container.Name}/{blob.Name} {blob.Properties.ContentLength} {blob.Properties.ETag}");
            }
        }

        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }

    private async Task<JsonElement> ReplayAsync(string query)
    {
        using var response = await fixture.Client.PostAsync(new Uri("api/dead-letters/replay" + query, UriKind.Relative), content: null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 from the replay; got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
