using System.Text.Json;
using Xunit.Abstractions;
using FunctionsApp.Tests.Infrastructure;

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
}
