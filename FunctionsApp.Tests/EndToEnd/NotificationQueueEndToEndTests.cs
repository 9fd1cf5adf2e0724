using System.Net;
using System.Text.Json;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>send_notification messages through the queue listener and the worker to the outbox queue.</summary>
public sealed class NotificationQueueEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task SendNotification_WritesOutboxMessageWithItsIdempotencyKey()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var key = "key-" + Guid.NewGuid().ToString("N");
        await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            $$"""{"action":"send_notification","user_id":"user-42","message":"Your report is ready","idempotency_key":"{{key}}"}""");

        var messages = await Poll.UntilAsync(
            async () =>
            {
                var peeked = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.OutboxQueue);
                return (peeked.Count > 0 ? peeked : null, QueueProbes.Describe(peeked));
            },
            TimeSpan.FromSeconds(60),
            $"a notification in outbox queue {app.Storage.OutboxQueue}");

        var notification = Assert.Single(messages);
        using var document = JsonDocument.Parse(notification);
        var root = document.RootElement;
        Assert.Equal(key, root.GetProperty("idempotency_key").GetString());
        Assert.Equal("user-42", root.GetProperty("user_id").GetString());
        Assert.Equal("Your report is ready", root.GetProperty("message").GetString());
    }

    [Fact]
    public async Task SendNotification_WithoutKey_UsesTheQueueMessageIdAsKey()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            """{"action":"send_notification","user_id":"user-7"}""");

        var messages = await Poll.UntilAsync(
            async () =>
            {
                var peeked = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.OutboxQueue);
                return (peeked.Count > 0 ? peeked : null, QueueProbes.Describe(peeked));
            },
            TimeSpan.FromSeconds(60),
            $"a notification in outbox queue {app.Storage.OutboxQueue}");

        using var document = JsonDocument.Parse(Assert.Single(messages));
        Assert.Equal(messageId, document.RootElement.GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task SendNotification_SameKeyForTwoUsers_ReachesBoth()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        foreach (var user in new[] { "user-a", "user-b" })
        {
            await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
                $$"""{"action":"send_notification","user_id":"{{user}}","idempotency_key":"shared-key"}""");
        }

        await WaitForSucceededAsync(app, 2);

        var users = (await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.OutboxQueue))
            .Select(text => JsonDocument.Parse(text).RootElement.GetProperty("user_id").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(["user-a", "user-b"], users);
    }

    [Fact]
    public async Task SendNotification_WithoutKey_ParkedTwiceAndReplayedInTwoCalls_ReachesTheOutboxOnce()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        await azurite.Queues.GetQueueClient(app.Storage.WorkItemsQueue).CreateIfNotExistsAsync();
        // Two copies of one parked message (the worker stopped between parking it and the queue
        // deleting it), replayed one call after the other: each call sends its copy.
        var parkedId = Guid.NewGuid().ToString();
        var envelope = $$"""{"reason":"retries_exhausted","description":"outbox down","message_id":"{{parkedId}}","dequeue_count":5,"failed_at":"2026-12-06T12:00:00+00:00","action":"send_notification","original_body":"{\"action\":\"send_notification\",\"user_id\":\"user-r\"}"}""";
        await QueueProbes.SendAsync(azurite.Queues, app.Storage.PoisonQueue, envelope);
        await QueueProbes.SendAsync(azurite.Queues, app.Storage.PoisonQueue, envelope);
        using var client = new HttpClient { BaseAddress = app.Host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        for (var call = 1; call <= 2; call++)
        {
            using var response = await client.PostAsync(new Uri("api/dead-letters/replay?max=1", UriKind.Relative), content: null);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK && text.Contains("\"moved\":1", StringComparison.Ordinal), $"call {call}: {(int)response.StatusCode} {text}");
            await WaitForSucceededAsync(app, call);
        }

        // Both copies went back keyed by the parked message's id: the second was suppressed.
        using var document = JsonDocument.Parse(Assert.Single(await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.OutboxQueue)));
        Assert.Equal(parkedId, document.RootElement.GetProperty("idempotency_key").GetString());
        Assert.Empty(await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.PoisonQueue));
    }

    private static Task WaitForSucceededAsync(AppUnderTest app, int count) =>
        Poll.UntilAsync(
            () =>
            {
                var done = app.Host.InvocationsOf(ProcessWorkItemFunction.Name);
                var succeeded = done.Count(r => r.Succeeded);
                return Task.FromResult<(string?, string)>((succeeded >= count ? "done" : null, $"{succeeded} of {done.Count} invocations succeeded"));
            },
            TimeSpan.FromSeconds(60),
            $"{count} successful invocation(s) of the queue function");
}
