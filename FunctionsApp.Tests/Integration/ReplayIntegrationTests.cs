using FunctionsApp.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionsApp.Tests.Integration;

/// <summary>Moving dead-lettered messages back to the work queue, against Azurite.</summary>
public sealed class ReplayIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string UnknownA = """{"action":"launch_rocket","n":1}""";
    private const string UnknownB = """{"action":"launch_rocket","n":2}""";
    private const string MissingField = """{"action":"generate_report"}""";
    private InProcessApp app = null!;

    public async Task InitializeAsync()
    {
        app = new InProcessApp(azurite);
        await app.WorkQueue.CreateIfNotExistsAsync();
        foreach (var body in new[] { UnknownA, MissingField, UnknownB })
        {
            await app.ProcessAsync(body);
        }
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    private IDeadLetterReplayer Replayer => app.GetRequiredService<IDeadLetterReplayer>();

    private static async Task<List<string>> DrainAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var texts = new List<string>();
        foreach (var message in (await queue.ReceiveMessagesAsync(maxMessages: 32)).Value)
        {
            texts.Add(message.MessageText);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        return texts;
    }

    [Fact]
    public async Task ReplayAsync_FilteredByReason_MovesOnlyThoseBodiesAndKeepsTheRestVisible()
    {
        var report = await Replayer.ReplayAsync("unknown_action", 100, CancellationToken.None);

        Assert.Equal(2, report.Moved);
        Assert.Equal(1, report.Kept);
        Assert.Equal(2, report.MovedByReason["unknown_action"]);
        Assert.Equal(new[] { UnknownA, UnknownB }.Order(), (await DrainAsync(app.WorkQueue)).Order());
        // The kept message is visible again at once, not after the replay's hold.
        var left = await DrainAsync(app.DeadLetters);
        using var envelope = System.Text.Json.JsonDocument.Parse(Assert.Single(left));
        Assert.Equal(MissingField, envelope.RootElement.GetProperty("original_body").GetString());
    }

    [Fact]
    public async Task ReplayAsync_All_MovesEveryMessageAndEmptiesTheDeadLetterQueue()
    {
        var report = await Replayer.ReplayAsync(null, 100, CancellationToken.None);

        Assert.Equal(3, report.Moved);
        Assert.Equal(0, report.Kept);
        Assert.Equal(3, (await DrainAsync(app.WorkQueue)).Count);
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task ReplayAsync_Max_LimitsHowManyMove()
    {
        var report = await Replayer.ReplayAsync(null, 1, CancellationToken.None);

        Assert.Equal(1, report.Moved);
        Assert.Equal(0, report.Kept);
        Assert.Equal(2, report.Remaining);
        Assert.Single(await DrainAsync(app.WorkQueue));
        Assert.Equal(2, (await DrainAsync(app.DeadLetters)).Count);
    }

    [Fact]
    public async Task ReplayAsync_TimeBudgetRunsOut_AnswersHowManyRemainAndTheNextCallMovesThem()
    {
        await DrainAsync(app.DeadLetters);
        const int parked = 200;
        await Task.WhenAll(Enumerable.Range(0, parked).Select(i => app.DeadLetters.SendMessageAsync(
            $$$"""{"reason":"unknown_action","description":"d","message_id":"{{{Guid.NewGuid()}}}","dequeue_count":1,"failed_at":"2026-11-26T12:00:00+00:00","original_body":"{\"action\":\"launch_rocket\",\"n\":{{{i}}}}"}""")));
        var budget = app.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReplayOptions>>().Value.TimeBudgetSeconds;
        // Every reading of the clock moves it on by a fifth of the budget: it runs out after a few
        // readings (one per round and one per message), within the first round.
        app.Clock.AutoAdvanceAmount = TimeSpan.FromSeconds(budget / 5.0);

        var first = await Replayer.ReplayAsync(null, 10_000, CancellationToken.None);
        app.Clock.AutoAdvanceAmount = TimeSpan.Zero;
        var second = await Replayer.ReplayAsync(null, 10_000, CancellationToken.None);

        // Fewer than one round's 32: the budget stops a round between messages, too.
        Assert.InRange(first.Moved, 1, 31);
        Assert.Equal(parked - first.Moved, first.Remaining);
        Assert.Equal(parked - first.Moved, second.Moved);
        Assert.Equal(0, second.Remaining);
        Assert.Equal(parked, (await app.WorkQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task ReplayAsync_BareBodyWithoutEnvelope_IsMovedAsItIs()
    {
        await DrainAsync(app.DeadLetters);
        const string bare = "eyJhY3Rpb24iOiJnZW5lcmF0ZV9yZXBvcnQiLCJyZXBvcnRfaWQiOiJyLWJhcmUifQ==";
        await app.DeadLetters.SendMessageAsync(bare);

        var report = await Replayer.ReplayAsync(QueueDeadLetterReplayer.BareBodyReason, 100, CancellationToken.None);

        Assert.Equal(1, report.Moved);
        Assert.Equal(bare, Assert.Single(await DrainAsync(app.WorkQueue)));
    }

    [Fact]
    public async Task ReplayAsync_MessageParkedTwice_GoesBackOnceAndTheCopyIsDropped()
    {
        // The worker stopped after parking but before the queue deleted the message, so the
        // redelivery parked it again under the same message id.
        await DrainAsync(app.DeadLetters);
        var twice = Guid.NewGuid().ToString();
        await app.ProcessAsync(UnknownA, messageId: twice, dequeueCount: 1);
        await app.ProcessAsync(UnknownA, messageId: twice, dequeueCount: 2);

        var report = await Replayer.ReplayAsync(null, 100, CancellationToken.None);

        Assert.Equal(1, report.Moved);
        Assert.Equal(1, report.DuplicatesDropped);
        Assert.Equal(UnknownA, Assert.Single(await DrainAsync(app.WorkQueue)));
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task ReplayedMessage_ThatNowSucceeds_IsProcessedOnce()
    {
        // A report parked for a reason that has since been fixed: here, an envelope as the app
        // writes it after a storage outage on the last attempt.
        await DrainAsync(app.DeadLetters);
        await app.DeadLetters.SendMessageAsync(
            """{"reason":"retries_exhausted","description":"outage","message_id":"0b7e2c4e-95a4-4d47-8f0e-3f7a1d2c9b10","dequeue_count":5,"failed_at":"2026-11-26T12:00:00+00:00","action":"generate_report","original_body":"{\"action\":\"generate_report\",\"report_id\":\"r-replayed\"}"}""");

        await Replayer.ReplayAsync("retries_exhausted", 100, CancellationToken.None);
        foreach (var body in await DrainAsync(app.WorkQueue))
        {
            await app.ProcessAsync(body);
        }

        Assert.True((await app.Reports.GetBlobClient("r-replayed.json").ExistsAsync()).Value);
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task LargeBody_IsParkedInABlobNamedByItsEnvelope_AndReplayedWhole()
    {
        await DrainAsync(app.DeadLetters);
        // An escaped quote (\") doubles in size once escaped again inside the envelope: 20,000 of
        // them fit in a 64 KiB queue message, but not inside an envelope.
        var body = "{\"action\":\"launch_rocket\",\"payload\":\"" + string.Concat(Enumerable.Repeat("\\\"", 20_000)) + "\"}";
        Assert.InRange(body.Length, 40_000, 65_536);
        await app.ProcessAsync(body);

        using (var envelope = System.Text.Json.JsonDocument.Parse(await app.DeadLetters.PeekOrNullAsync() ?? "null"))
        {
            Assert.Equal("unknown_action", envelope.RootElement.GetProperty("reason").GetString());
            Assert.False(envelope.RootElement.TryGetProperty("original_body", out _), "a body too large to fit must not be inline");
            var blobName = envelope.RootElement.GetProperty("original_body_blob").GetString()!;
            Assert.Equal(body, (await app.DeadLetterBodies.GetBlobClient(blobName).DownloadContentAsync()).Value.Content.ToString());
        }

        var report = await Replayer.ReplayAsync("unknown_action", 10, CancellationToken.None);

        Assert.Equal(1, report.Moved);
        Assert.Equal(body, Assert.Single(await DrainAsync(app.WorkQueue)));
        // The body is gone; the blob stays empty as a marker that keeps a second parked copy out.
        var marker = Assert.Single(await app.DeadLetterBodies.ListBlobsAsync());
        Assert.Equal(0, marker.Properties.ContentLength);
        Assert.True(marker.Metadata.ContainsKey(QueueDeadLetterReplayer.ReplayedAtMetadata));
    }

    [Fact]
    public async Task ReplayAsync_EnvelopeWithAHostileReason_IsKeptAndLoggedEscapedAndBounded()
    {
        await using var logged = new InProcessApp(azurite, configureServices: services => services.AddLogging(logging => logging.AddFakeLogging()));
        await logged.WorkQueue.CreateIfNotExistsAsync();
        var reason = "forged\nline " + new string('r', 60_000);
        var envelope = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["reason"] = reason,
            ["description"] = "d",
            ["message_id"] = Guid.NewGuid().ToString(),
            ["dequeue_count"] = 1,
            ["failed_at"] = "2026-12-06T12:00:00+00:00",
            ["original_body"] = UnknownA,
        });
        await logged.DeadLetters.CreateIfNotExistsAsync();
        var parked = (await logged.DeadLetters.SendMessageAsync(envelope)).Value.MessageId;

        var report = await logged.GetRequiredService<IDeadLetterReplayer>().ReplayAsync(null, 10, CancellationToken.None);

        Assert.Equal((0, 1), (report.Moved, report.Failed));
        Assert.Equal(1, report.FailedByReason[ReplayRefusals.InvalidReason]);
        Assert.Equal(envelope, Assert.Single(await DrainAsync(logged.DeadLetters)));
        Assert.Empty(await DrainAsync(logged.WorkQueue));
        var refused = Assert.Single(logged.GetRequiredService<FakeLogCollector>().GetSnapshot(), r => r.Id.Id == 5001);
        Assert.Equal("ParkedMessageRefused", refused.Id.Name);
        Assert.Equal(parked, refused.GetStructuredStateValue("DeadLetterId"));
        Assert.Equal(ReplayRefusals.InvalidReason, refused.GetStructuredStateValue("Refusal"));
        Assert.DoesNotContain('\n', refused.Message);
        Assert.InRange(refused.Message.Length, 1, 400);
    }
}
