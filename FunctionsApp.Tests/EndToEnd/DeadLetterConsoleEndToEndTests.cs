using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using FunctionsApp.DeadLetters;
using FunctionsApp.Diagnostics;
using FunctionsApp.Http;
using FunctionsApp.Dispatch;
using FunctionsApp.Replay;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The dead-letter console's API through the real worker against Azurite: list and paging, counts,
/// one message with its body (from the envelope and from a blob), replay by ids, discard, and
/// crafted envelopes, which are shown but never acted on. The queue listener is off, so the queues
/// show exactly what the calls did.
/// </summary>
public sealed class DeadLetterConsoleEndToEndTests(HttpAppFixture fixture) : IClassFixture<HttpAppFixture>, IAsyncLifetime
{
    private const string VictimText = """{"report_id":"victim","secret":"do not touch"}""";

    private AppStorageNames Storage => fixture.App.Storage;

    private QueueServiceClient Queues => fixture.Azurite.Queues;

    private BlobContainerClient DeadLetterBodies => fixture.Azurite.Blobs.GetBlobContainerClient(Storage.DeadLetterContainer);

    public async Task InitializeAsync()
    {
        await Queues.GetQueueClient(Storage.PoisonQueue).CreateIfNotExistsAsync();
        await Queues.GetQueueClient(Storage.WorkItemsQueue).CreateIfNotExistsAsync();
        await DeadLetterBodies.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await Queues.GetQueueClient(Storage.PoisonQueue).ClearMessagesAsync();
        await Queues.GetQueueClient(Storage.WorkItemsQueue).ClearMessagesAsync();
        foreach (var blob in await DeadLetterBodies.ListBlobsAsync())
        {
            await DeadLetterBodies.DeleteBlobIfExistsAsync(blob.Name);
        }
    }

    [Fact]
    public async Task List_TwoThousandParked_PagesReachEveryMessageOnce_AndCountTheQueueByReason()
    {
        // 2,000 messages in a shuffled order: 1,200 unknown_action, 760 missing_field, 40 bare bodies.
        var expected = new Dictionary<string, int> { ["unknown_action"] = 1200, ["missing_field"] = 760, [ParkedMessage.BareBodyReason] = 40 };
        var texts = expected.SelectMany(e => Enumerable.Range(0, e.Value).Select(i => e.Key == ParkedMessage.BareBodyReason
            ? $"bare body {i}"
            : Envelope(e.Key, Guid.NewGuid().ToString(), body: $$"""{"action":"x","n":{{i}}}"""))).ToArray();
        new Random(21).Shuffle(texts);
        var queue = Queues.GetQueueClient(Storage.PoisonQueue);
        await Parallel.ForEachAsync(texts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (text, token) => await queue.SendMessageAsync(text, token));

        var ids = new List<string>();
        string? continuation = null;
        JsonElement page;
        var pages = 0;
        do
        {
            page = await GetJsonAsync("api/dead-letters?page_size=100" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            ids.AddRange(page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()!));
            continuation = page.TryGetProperty("continuation", out var next) ? next.GetString() : null;
            pages++;
            Assert.True(pages <= 40, "The listing did not end after 40 pages of 100.");
        }
        while (continuation is not null);

        Assert.Equal(20, pages);
        Assert.Equal(2000, ids.Count);
        Assert.Equal(2000, ids.Distinct().Count());
        Assert.True(page.GetProperty("complete").GetBoolean());
        Assert.Equal(expected.OrderBy(e => e.Key), page.GetProperty("counts").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt32())).OrderBy(e => e.Key));
        // Nothing was taken out of the queue.
        Assert.Equal(2000, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // A reason filter: a page holds only that reason (about 100 of the 256 messages a call may
        // read have it), and bodies are never in the list.
        var filtered = await GetJsonAsync("api/dead-letters?reason=missing_field&page_size=50");
        var messages = filtered.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(50, messages.Length);
        Assert.All(messages, m => Assert.Equal("missing_field", m.GetProperty("reason").GetString()));
        Assert.All(messages, m => Assert.False(m.TryGetProperty("body", out _) || m.TryGetProperty("original_body", out _)));
        Assert.All(messages, m => Assert.True(m.GetProperty("body_size").GetInt32() > 0));
    }

    [Fact]
    public async Task Get_BodyFromTheEnvelopeAndFromItsStampedBlob_ScriptIsEscapedInTheJson()
    {
        var inlineBody = """{"action":"generate_report","report_id":"<script>window.__pwned=1</script>"}""";
        var inlineId = await Park(Envelope("unknown_action", Guid.NewGuid().ToString(), body: inlineBody));
        var parkedId = Guid.NewGuid().ToString();
        var blobBody = "{\"action\":\"generate_report\",\"report_id\":\"big\",\"pad\":\"" + new string('p', 70_000) + "\"}";
        await UploadAsync(QueueDeadLetterSink.BodyBlobName(parkedId), blobBody, stampFor: parkedId);
        var blobId = await Park(Envelope("message_too_large", parkedId, blob: QueueDeadLetterSink.BodyBlobName(parkedId)));

        var (inlineText, inline) = await GetAsync("api/dead-letters/" + inlineId);
        var (_, fromBlob) = await GetAsync("api/dead-letters/" + blobId);

        Assert.Equal(inlineBody, inline.GetProperty("body").GetString());
        Assert.DoesNotContain("<script>", inlineText, StringComparison.Ordinal);
        Assert.Equal("unknown_action", inline.GetProperty("message").GetProperty("reason").GetString());
        Assert.Equal(blobBody, fromBlob.GetProperty("body").GetString());
        Assert.True(fromBlob.GetProperty("message").GetProperty("body_in_blob").GetBoolean());
        Assert.Equal(2, (await QueueProbes.ReadAllAsync(Queues, Storage.PoisonQueue)).Count);
    }

    [Fact]
    public async Task Get_UnknownOrMalformedId_Answers404Or400()
    {
        await Park(Envelope("unknown_action", Guid.NewGuid().ToString(), body: "{}"));

        using var missing = await fixture.Client.GetAsync(new Uri("api/dead-letters/" + Guid.NewGuid(), UriKind.Relative));
        using var malformed = await fixture.Client.GetAsync(new Uri("api/dead-letters/not-an-id", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task ReplayIds_MovesExactlyThoseMessages_AndNamesTheIdsItDidNotFind()
    {
        var bodies = Enumerable.Range(0, 6).Select(i => $$"""{"action":"generate_report","report_id":"r-{{i}}"}""").ToArray();
        var ids = new List<string>();
        foreach (var body in bodies)
        {
            ids.Add(await Park(Envelope("retries_exhausted", Guid.NewGuid().ToString(), body: body)));
        }

        var unknown = Guid.NewGuid().ToString();
        var answer = await PostJsonAsync("api/dead-letters/replay", new { ids = new[] { ids[1], ids[4], unknown } });

        Assert.Equal(2, answer.GetProperty("moved").GetInt32());
        Assert.Equal(0, answer.GetProperty("failed").GetInt32());
        Assert.Equal(0, answer.GetProperty("remaining").GetInt32());
        Assert.Equal([unknown], answer.GetProperty("not_found").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new[] { bodies[1], bodies[4] }.Order(), (await QueueProbes.ReadAllAsync(Queues, Storage.WorkItemsQueue)).Order());
        Assert.Equal(4, (await QueueProbes.ReadAllAsync(Queues, Storage.PoisonQueue)).Count);
    }

    [Fact]
    public async Task Discard_DeletesTheMessageAndItsStampedBlob_AndLogsWhoAsked()
    {
        var parkedId = Guid.NewGuid().ToString();
        var blobName = QueueDeadLetterSink.BodyBlobName(parkedId);
        await UploadAsync(blobName, "{\"big\":1}", stampFor: parkedId);
        var id = await Park(Envelope("message_too_large", parkedId, blob: blobName));
        var keptEnvelope = Envelope("unknown_action", Guid.NewGuid().ToString(), body: "{}");
        await Park(keptEnvelope);

        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("api/dead-letters/" + id, UriKind.Relative));
        // A claimed name that tries to close its quotes and fake an escape.
        const string claimed = @"ops' by \u0027admin";
        request.Headers.Add(CallerIdentity.PrincipalNameHeader, claimed);
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await DeadLetterBodies.GetBlobClient(blobName).ExistsAsync()).Value);
        Assert.Equal(keptEnvelope, Assert.Single(await QueueProbes.ReadAllAsync(Queues, Storage.PoisonQueue)));
        var logged = await fixture.App.Host.Logs.WaitForAsync(e => e.EventId == "DeadLetterDiscarded" && e.Message.Contains(id, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "event DeadLetterDiscarded for the discarded message");
        Assert.Contains("client principal " + CallerText.Quote(claimed), logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(claimed, logged.Message, StringComparison.Ordinal);

        using var again = await fixture.Client.DeleteAsync(new Uri("api/dead-letters/" + id, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task CraftedEnvelopes_AreListedAndShownWithTheirRefusal_ButNoBlobIsReadOrDeletedAndNothingMoves()
    {
        // A path into another container and an id that is no id; a blob stamped for another message.
        await UploadAsync("victim.txt", VictimText, stampFor: "victim");
        var otherId = Guid.NewGuid().ToString();
        await UploadAsync(QueueDeadLetterSink.BodyBlobName(otherId), VictimText, stampFor: Guid.NewGuid().ToString());
        var pathId = await Park(Envelope("invalid_json", "x1", blob: "../" + Storage.ReportsContainer + "/victim.json"));
        var stampId = await Park(Envelope("unknown_action", otherId, blob: QueueDeadLetterSink.BodyBlobName(otherId)));
        var reasonId = await Park(Envelope("<img src=x onerror=alert(1)>", Guid.NewGuid().ToString(), body: "{}"));
        var blobsBefore = await SnapshotAsync();

        var list = await GetJsonAsync("api/dead-letters");
        var listed = list.GetProperty("messages").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        var (_, path) = await GetAsync("api/dead-letters/" + pathId);
        var (_, stamp) = await GetAsync("api/dead-letters/" + stampId);
        var replay = await PostJsonAsync("api/dead-letters/replay", new { ids = new[] { pathId, stampId, reasonId } });

        Assert.Equal(ReplayRefusals.InvalidMessageId, listed[pathId].GetProperty("refusal").GetString());
        Assert.Equal(ReplayRefusals.InvalidReason, listed[reasonId].GetProperty("refusal").GetString());
        Assert.False(listed[reasonId].TryGetProperty("reason", out _));
        Assert.Equal(1, list.GetProperty("counts").GetProperty(DeadLetterCursor.UnrecognizedReason).GetInt32());
        Assert.Equal(ReplayRefusals.InvalidMessageId, path.GetProperty("body_refusal").GetString());
        Assert.False(path.TryGetProperty("body", out _));
        Assert.Contains("victim.json", path.GetProperty("queue_text").GetString(), StringComparison.Ordinal);
        Assert.Equal(ReplayRefusals.BodyBlobNotOurs, stamp.GetProperty("body_refusal").GetString());
        Assert.False(stamp.TryGetProperty("body", out _));
        Assert.Equal(0, replay.GetProperty("moved").GetInt32());
        Assert.Equal(3, replay.GetProperty("failed").GetInt32());
        Assert.Empty(await QueueProbes.ReadAllAsync(Queues, Storage.WorkItemsQueue));

        // Discarding a crafted envelope removes the message only; no blob it names is touched.
        using var discard = await fixture.Client.DeleteAsync(new Uri("api/dead-letters/" + stampId, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        Assert.Equal(blobsBefore, await SnapshotAsync());
        Assert.Equal(2, (await QueueProbes.ReadAllAsync(Queues, Storage.PoisonQueue)).Count);
    }

    internal static string Envelope(string reason, string messageId, string? body = null, string? blob = null)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["reason"] = reason,
            ["description"] = "crafted for a test",
            ["message_id"] = messageId,
            ["dequeue_count"] = 5,
            ["failed_at"] = "2026-12-06T04:00:00+00:00",
            ["action"] = "generate_report",
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

    private Task<string> Park(string text) => QueueProbes.SendAsync(Queues, Storage.PoisonQueue, text);

    private async Task UploadAsync(string name, string text, string? stampFor)
    {
        await DeadLetterBodies.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), new BlobUploadOptions
        {
            Metadata = stampFor is null ? null : new Dictionary<string, string> { [QueueDeadLetterSink.ParkedMessageIdMetadata] = stampFor },
        });
    }

    private async Task<string> SnapshotAsync() =>
        string.Join("\n", (await DeadLetterBodies.ListBlobsAsync()).Select(b => $"{b.Name} {b.Properties.ContentLength} {b.Properties.ETag}").Order(StringComparer.Ordinal));

    private async Task<JsonElement> GetJsonAsync(string path) => (await GetAsync(path)).Json;

    private async Task<(string Text, JsonElement Json)> GetAsync(string path)
    {
        using var response = await fixture.Client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 from GET {path}; got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return (text, document.RootElement.Clone());
    }

    private async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await fixture.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 from POST {path}; got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
