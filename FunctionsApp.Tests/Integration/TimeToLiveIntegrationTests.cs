using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Replay;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// Every message the app writes carries the time-to-live its settings give, read back from Azurite:
/// by default none expires (the queue service's own default would delete it after 7 days).
/// </summary>
public sealed class TimeToLiveIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>What the queue service answers as the expiry of a message sent with a time-to-live of -1.</summary>
    private static readonly DateTimeOffset NeverExpires = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private const string UnknownAction = """{"action":"launch_rocket"}""";
    private const string Notification = """{"action":"send_notification","user_id":"u-ttl","message":"hi"}""";

    [Fact]
    public async Task Defaults_DeadLetterOutboxAndReplayedMessages_NeverExpire()
    {
        await using var app = new InProcessApp(azurite, systemClock: true);

        var (deadLetter, outbox, replayed) = await WriteOneOfEachAsync(app);

        Assert.True(deadLetter.ExpiresOn >= NeverExpires, $"dead-letter envelope expires {deadLetter.ExpiresOn:O}");
        Assert.True(outbox.ExpiresOn >= NeverExpires, $"outbox notification expires {outbox.ExpiresOn:O}");
        Assert.True(replayed.ExpiresOn >= NeverExpires, $"replayed message expires {replayed.ExpiresOn:O}");
    }

    [Fact]
    public async Task Configured_EachQueueGetsItsOwnTimeToLive()
    {
        await using var app = new InProcessApp(azurite, systemClock: true, settings: new Dictionary<string, string?>
        {
            ["Dispatch:DeadLetterTimeToLiveSeconds"] = "86400",
            ["Notifications:OutboxTimeToLiveSeconds"] = "3600",
            ["Replay:WorkItemTimeToLiveSeconds"] = "7200",
        });

        var (deadLetter, outbox, replayed) = await WriteOneOfEachAsync(app);

        AssertLives(deadLetter, TimeSpan.FromDays(1));
        AssertLives(outbox, TimeSpan.FromHours(1));
        AssertLives(replayed, TimeSpan.FromHours(2));
    }

    private static void AssertLives(PeekedMessage message, TimeSpan timeToLive)
    {
        var lives = message.ExpiresOn!.Value - message.InsertedOn!.Value;
        Assert.InRange(lives, timeToLive - TimeSpan.FromSeconds(2), timeToLive + TimeSpan.FromSeconds(2));
    }

    /// <summary>A parked message, a notification, and a replayed copy of a parked message.</summary>
    private static async Task<(PeekedMessage DeadLetter, PeekedMessage Outbox, PeekedMessage Replayed)> WriteOneOfEachAsync(InProcessApp app)
    {
        await app.WorkQueue.CreateIfNotExistsAsync();
        await app.ProcessAsync(UnknownAction);
        await app.ProcessAsync(Notification);
        var deadLetter = await OnlyAsync(app.DeadLetters);
        var outbox = await OnlyAsync(app.Outbox);

        var report = await app.GetRequiredService<IDeadLetterReplayer>().ReplayAsync(null, 10, CancellationToken.None);
        Assert.Equal(1, report.Moved);
        var replayed = await OnlyAsync(app.WorkQueue);
        return (deadLetter, outbox, replayed);
    }

    private static async Task<PeekedMessage> OnlyAsync(QueueClient queue) =>
        Assert.Single((await queue.PeekMessagesAsync(maxMessages: 32)).Value);
}
