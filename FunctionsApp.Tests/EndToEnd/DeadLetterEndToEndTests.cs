using System.Text.Json;
using FunctionsApp.Dispatch;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>Messages that can never succeed: dead-lettered with a reason on the first attempt, never retried.</summary>
public sealed class DeadLetterEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("""{"action": "generate_report", "report_id": """, FailureReasons.InvalidJson)]
    [InlineData("""{"action":"launch_rockets","target":"moon"}""", FailureReasons.UnknownAction)]
    [InlineData("""  {"action":"send_notification" , "message":"no user"}  """, FailureReasons.MissingField)]
    public async Task InvalidMessage_IsDeadLetteredOnceWithItsBodyUnchanged(string body, string reason)
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, body);

        var deadLetters = await Poll.UntilAsync(
            async () =>
            {
                var peeked = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.DeadLetterQueue);
                return (peeked.Count > 0 ? peeked : null, QueueProbes.Describe(peeked));
            },
            TimeSpan.FromSeconds(60),
            $"a dead-letter envelope in {app.Storage.DeadLetterQueue}");

        using var envelope = JsonDocument.Parse(Assert.Single(deadLetters));
        var root = envelope.RootElement;
        Assert.Equal(reason, root.GetProperty("reason").GetString());
        Assert.Equal(body, root.GetProperty("original_body").GetString());
        Assert.Equal(messageId, root.GetProperty("message_id").GetString());
        Assert.Equal(1, root.GetProperty("dequeue_count").GetInt64());

        // Attempted once: the invocation succeeded (the app handled the failure), and the message
        // left the work queue, so the listener has nothing to retry and nothing to poison. The
        // envelope is written before the worker answers, so wait for both.
        await Poll.UntilAsync(
            async () =>
            {
                var left = await QueueProbes.CountAsync(azurite.Queues, app.Storage.WorkItemsQueue);
                var ended = app.Attempts(messageId).Count;
                return (left == 0 && ended > 0 ? "done" : null, $"{left} message(s) still in {app.Storage.WorkItemsQueue}, {ended} attempt(s) ended");
            },
            TimeSpan.FromSeconds(15),
            "the attempt to end and the work queue to be empty (message deleted after its one attempt)");
        var attempt = Assert.Single(app.Attempts(messageId));
        Assert.True(attempt.Succeeded, $"Expected the invocation to succeed; it failed: {attempt.Response?.Result?.Exception?.Message ?? attempt.Failure?.Message}");
        // The dead-letter queue is the platform's poison queue: it holds the envelope and no bare
        // copy from the platform.
        Assert.Equal(1, await QueueProbes.CountAsync(azurite.Queues, app.Storage.PoisonQueue));
    }
}
