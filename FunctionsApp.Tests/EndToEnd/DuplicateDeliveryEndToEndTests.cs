using System.Text.Json;
using FunctionsApp.Functions;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Nothing doubled: a message delivered twice (at-least-once delivery) and a copy enqueued again
/// each have one effect, through the real worker, and the worker says which duplicate it dropped.
/// </summary>
public sealed class DuplicateDeliveryEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SameMessageIdDeliveredTwice_ProducesOneReportAndOneNotification()
    {
        // Delivered by the test itself, so the second delivery has the first one's message id,
        // as a redelivery after a lost delete or an expired visibility timeout would.
        await using var app = await AppUnderTest.StartAsync(azurite, output, enableQueues: false);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var reportMessageId = Guid.NewGuid().ToString();
        var notificationMessageId = Guid.NewGuid().ToString();
        var report = $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";
        var notification = $$"""{"action":"send_notification","user_id":"u-{{Guid.NewGuid():N}}","message":"Build finished"}""";

        for (var dequeueCount = 1; dequeueCount <= 2; dequeueCount++)
        {
            AssertSucceeded(await app.Host.DeliverQueueMessageAsync(ProcessWorkItemFunction.Name, reportMessageId, report, dequeueCount), "report", dequeueCount);
            AssertSucceeded(await app.Host.DeliverQueueMessageAsync(ProcessWorkItemFunction.Name, notificationMessageId, notification, dequeueCount), "notification", dequeueCount);
        }

        await AssertOneReportAsync(app, reportId, reportMessageId);
        await AssertOneNotificationAsync(app, expectedKey: notificationMessageId);
        await AssertLoggedOnceAsync(app, "ReportAlreadyExists");
        await AssertLoggedOnceAsync(app, "NotificationDuplicateSuppressed");
    }

    [Fact]
    public async Task CopyEnqueuedAgainWithNewMessageId_SameReportIdAndIdempotencyKey_ProducesOneReportAndOneNotification()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var key = "build-" + Guid.NewGuid().ToString("N");
        var report = $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";
        var notification = $$"""{"action":"send_notification","user_id":"u-7","message":"Build finished","idempotency_key":"{{key}}"}""";

        // The copy is enqueued after the original was handled, as a user re-sending it would; two
        // copies handled at the same moment are the race the README admits.
        var firstReport = await SendAndWaitAsync(app, report);
        var firstNotification = await SendAndWaitAsync(app, notification);
        var copies = new[] { await SendAndWaitAsync(app, report), await SendAndWaitAsync(app, notification) };

        Assert.DoesNotContain(firstReport, copies);
        Assert.DoesNotContain(firstNotification, copies);
        await AssertOneReportAsync(app, reportId, firstReport);
        await AssertOneNotificationAsync(app, expectedKey: key);
        await AssertLoggedOnceAsync(app, "ReportAlreadyExists");
        await AssertLoggedOnceAsync(app, "NotificationDuplicateSuppressed");
    }

    private static void AssertSucceeded(InvocationResponse response, string what, int dequeueCount) =>
        Assert.True(response.Result?.Status == StatusResult.Types.Status.Success,
            $"Expected delivery {dequeueCount} of the {what} message to succeed; the worker answered {response.Result?.Status}: {response.Result?.Exception?.Message}");

    /// <summary>Sends a message through the queue and waits until the worker has handled it; returns its id.</summary>
    private async Task<string> SendAndWaitAsync(AppUnderTest app, string body)
    {
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, body);
        var attempt = await Poll.UntilAsync(
            () =>
            {
                var ended = app.Host.InvocationsOf(ProcessWorkItemFunction.Name).FirstOrDefault(r => r.TriggerValue("Id") == messageId);
                return Task.FromResult((ended, "no ended attempt"));
            },
            Timeout,
            $"message {messageId} to be handled");
        Assert.True(attempt.Succeeded, $"Expected message {messageId} to be handled; the attempt failed: {attempt.Response?.Result?.Exception?.Message}");
        return messageId;
    }

    private async Task AssertOneReportAsync(AppUnderTest app, string reportId, string firstMessageId)
    {
        var blobs = await azurite.Blobs.GetBlobContainerClient(app.Storage.ReportsContainer).ListBlobsAsync();

        var report = Assert.Single(blobs);
        Assert.Equal(reportId + ".json", report.Name);
        // The first generation wins: the duplicate left the report as it was.
        Assert.Equal(firstMessageId, report.Metadata["source_message_id"]);
    }

    private async Task AssertOneNotificationAsync(AppUnderTest app, string expectedKey)
    {
        var outbox = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.OutboxQueue);
        var notification = Assert.Single(outbox);
        using var document = JsonDocument.Parse(notification);
        Assert.Equal(expectedKey, document.RootElement.GetProperty("idempotency_key").GetString());
    }

    private static async Task AssertLoggedOnceAsync(AppUnderTest app, string eventName)
    {
        // The worker's logs travel on the same stream as its answers, but not necessarily before them.
        await app.Host.Logs.WaitForAsync(e => e.EventId == eventName, TimeSpan.FromSeconds(10), $"with EventId {eventName}");
        var logged = app.Host.Logs.Find(e => e.EventId == eventName);
        Assert.True(logged.Count == 1, $"Expected {eventName} logged once; it was logged {logged.Count} times.");
    }
}
