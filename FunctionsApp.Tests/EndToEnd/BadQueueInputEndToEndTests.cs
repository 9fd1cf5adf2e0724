using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure;
using FunctionsApp.Dispatch;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Bad input on the work queue, one row per kind of bad message, all through one real worker:
/// each message is attempted exactly once and ends as its row says (processed, or dead-lettered
/// with its reason), none is retried, and the worker survives the whole table.
/// </summary>
public sealed class BadQueueInputEndToEndTests(BadQueueInputFixture fixture, ITestOutputHelper output)
    : IClassFixture<BadQueueInputFixture>
{
    public static TheoryData<string> Cases => BadQueueInputCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Message_IsAttemptedOnce_AndEndsAsItsRowExpects(string caseName)
    {
        var row = BadQueueInputCases.Get(caseName);
        var messageId = fixture.MessageIdOf(caseName);
        var attempts = await fixture.AttemptsAsync(messageId, caseName);
        try
        {
            var attempt = Assert.Single(attempts);
            Assert.True(attempt.Succeeded,
                $"Expected the one attempt to complete (the app handles bad input itself); it failed: {attempt.Response?.Result?.Exception?.Message ?? attempt.Failure?.Message}");
            Assert.Equal("1", attempt.TriggerValue("DequeueCount"));
            // What the worker was given is what was sent: the table tests the app, not the transport.
            Assert.Equal(row.Body, attempt.TriggerValue("QueueTrigger"));

            var envelopes = await fixture.EnvelopesAsync();
            if (row.IsDeadLettered)
            {
                Assert.True(envelopes.TryGetValue(messageId, out var envelope),
                    $"Expected an envelope with reason {row.Expected} for message {messageId}; the dead-letter queue holds envelopes for: {string.Join(", ", envelopes.Keys)}");
                await AssertEnvelopeAsync(row, messageId, envelope);
            }
            else
            {
                Assert.False(envelopes.TryGetValue(messageId, out var envelope),
                    $"Expected row '{caseName}' to be processed; it was dead-lettered: {envelope}");
                await AssertEffectAsync(row, messageId);
            }
        }
        finally
        {
            var invocationIds = attempts.Select(a => a.Request.InvocationId).ToHashSet();
            foreach (var line in fixture.App.Host.Logs.Find(e => e.InvocationId is { } id && invocationIds.Contains(id)))
            {
                output.WriteLine(line.ToString());
            }
        }
    }

    [Fact]
    public async Task WholeTable_SameWorkerSurvives_AndNoMessageIsRetriedOrLeftInTheQueue()
    {
        var ids = BadQueueInputCases.All.ToDictionary(r => fixture.MessageIdOf(r.Name), r => r.Name);
        await Poll.UntilAsync(
            () =>
            {
                var pending = ids.Where(i => fixture.Attempts(i.Key).Count == 0).Select(i => i.Value).ToArray();
                return Task.FromResult<(string?, string)>((pending.Length == 0 ? "all ended" : null, $"no attempt yet for: {string.Join(", ", pending)}"));
            },
            BadQueueInputFixture.Timeout,
            "an ended attempt for every row");

        var host = fixture.App.Host;
        if (host.WorkerExited.IsCompleted)
        {
            Assert.Fail($"Expected the worker to be alive after the table; it exited with code {await host.WorkerExited}.");
        }
        Assert.Equal(fixture.WorkerProcessId, host.WorkerProcessId);
        using (var process = Process.GetProcessById(fixture.WorkerProcessId))
        {
            Assert.False(process.HasExited, $"Expected worker process {fixture.WorkerProcessId} to be running.");
        }

        // Exactly one attempt per message: any second one would be a retry (or a lost delete).
        var all = host.InvocationsOf(ProcessWorkItemFunction.Name);
        var perMessage = all.GroupBy(a => a.TriggerValue("Id")).Where(g => g.Count() != 1).Select(g => $"{ids.GetValueOrDefault(g.Key!, g.Key!)}: {g.Count()}");
        Assert.True(all.Count == ids.Count, $"Expected {ids.Count} attempts, one per row; saw {all.Count} ({string.Join("; ", perMessage)}).");
        Assert.All(all, a => Assert.Equal("1", a.TriggerValue("DequeueCount")));

        var storage = fixture.App.Storage;
        var parked = BadQueueInputCases.All.Count(r => r.IsDeadLettered);
        await Poll.UntilAsync(
            async () =>
            {
                var left = await QueueProbes.CountAsync(fixture.Azurite.Queues, storage.WorkItemsQueue);
                var poison = await QueueProbes.CountAsync(fixture.Azurite.Queues, storage.PoisonQueue);
                return (left == 0 && poison == parked ? "settled" : null,
                    $"{left} message(s) in {storage.WorkItemsQueue}, {poison} in {storage.PoisonQueue}");
            },
            TimeSpan.FromSeconds(15),
            $"an empty work queue and exactly {parked} envelopes (no bare platform copies) in {storage.PoisonQueue}");
    }

    private async Task AssertEnvelopeAsync(QueueInputCase row, string messageId, JsonElement envelope)
    {
        Assert.True(row.Expected == envelope.GetProperty("reason").GetString(),
            $"Expected reason {row.Expected} for row '{row.Name}'; the envelope says: {envelope}");
        Assert.Equal(1, envelope.GetProperty("dequeue_count").GetInt64());
        Assert.False(string.IsNullOrWhiteSpace(envelope.GetProperty("description").GetString()), "Expected a description for the operator.");
        if (!row.BodyInBlob)
        {
            Assert.Equal(row.Body, envelope.GetProperty("original_body").GetString());
            return;
        }

        Assert.True(envelope.TryGetProperty("original_body_blob", out var blobName) && blobName.ValueKind == JsonValueKind.String,
            $"Expected the envelope to name the blob holding the body; it is: {Truncate(envelope.ToString())}");
        Assert.True(!envelope.TryGetProperty("original_body", out var inline) || inline.ValueKind == JsonValueKind.Null,
            "Expected no inline original_body when the body is in a blob.");
        Assert.Equal(QueueDeadLetterSink.BodyBlobName(messageId), blobName.GetString());
        var blob = fixture.Azurite.Blobs.GetBlobContainerClient(fixture.App.Storage.DeadLetterContainer).GetBlobClient(blobName.GetString());
        var stored = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        var sent = Encoding.UTF8.GetBytes(row.Body);
        Assert.True(sent.AsSpan().SequenceEqual(stored),
            $"Expected blob {blob.Name} to hold the {sent.Length}-byte body byte for byte; it holds {stored.Length} bytes.");
    }

    private async Task AssertEffectAsync(QueueInputCase row, string messageId)
    {
        var storage = fixture.App.Storage;
        if (row.Expected == QueueInputCase.ReportWritten)
        {
            var blob = fixture.Azurite.Blobs.GetBlobContainerClient(storage.ReportsContainer).GetBlobClient(row.ReportId() + ".json");
            try
            {
                var properties = (await blob.GetPropertiesAsync()).Value;
                Assert.Equal(messageId, properties.Metadata["source_message_id"]);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                Assert.Fail($"Expected report blob {blob.Name} in {storage.ReportsContainer} after row '{row.Name}' was processed; there is none.");
            }

            return;
        }

        var outbox = await QueueProbes.ReadAllAsync(fixture.Azurite.Queues, storage.OutboxQueue);
        var mine = outbox.Where(m =>
        {
            using var notification = JsonDocument.Parse(m);
            return notification.RootElement.GetProperty("idempotency_key").GetString() == messageId;
        }).ToArray();
        Assert.True(mine.Length == 1,
            $"Expected one notification keyed by message {messageId} in {storage.OutboxQueue}; saw {mine.Length} among: {Truncate(QueueProbes.Describe(outbox))}");
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "...";
}
