using System.Text;
using System.Text.Json;

namespace FunctionsApp.Tests.Integration;

/// <summary>The queue function, its handlers and the real Azure SDK against Azurite.</summary>
public sealed class DispatchIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private InProcessApp app = null!;

    public Task InitializeAsync()
    {
        app = new InProcessApp(azurite);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task GenerateReport_PlainJson_WritesReportBlobWithContentTypeAndMetadata()
    {
        await app.ProcessAsync("""{"action":"generate_report","report_id":"r-42","title":"Weekly","parameters":{"week":47}}""", messageId: "msg-1");

        var blob = app.Reports.GetBlobClient("r-42.json");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("application/json; charset=utf-8", properties.ContentType);
        Assert.Equal("msg-1", properties.Metadata["source_message_id"]);
        Assert.Equal("2026-11-26T12:00:00.0000000+00:00", properties.Metadata["generated_at"]);

        using var report = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content);
        Assert.Equal("r-42", report.RootElement.GetProperty("report_id").GetString());
        Assert.Equal("Weekly", report.RootElement.GetProperty("title").GetString());
        Assert.Equal(47, report.RootElement.GetProperty("parameters").GetProperty("week").GetInt32());
        Assert.Equal("msg-1", report.RootElement.GetProperty("source_message_id").GetString());
    }

    [Fact]
    public async Task GenerateReport_Base64Json_IsProcessedLikePlainJson()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"action":"generate_report","report_id":"r-b64"}"""));

        await app.ProcessAsync(body);

        Assert.True((await app.Reports.GetBlobClient("r-b64.json").ExistsAsync()).Value, "the base64 message should have produced r-b64.json");
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task GenerateReport_SameReportIdTwice_LeavesOneReportFromTheFirstDelivery()
    {
        const string body = """{"action":"generate_report","report_id":"r-twice"}""";
        await app.ProcessAsync(body, messageId: "first");
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await app.ProcessAsync(body, messageId: "second");

        var only = Assert.Single(await app.Reports.ListBlobsAsync());
        Assert.Equal("r-twice.json", only.Name);
        Assert.Equal("first", only.Metadata["source_message_id"]);
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task SendNotification_WritesNotificationToOutboxWithIdempotencyKey()
    {
        await app.ProcessAsync("""{"action":"send_notification","user_id":"u-7","message":"Build finished","idempotency_key":"build-981"}""");
        await app.ProcessAsync("""{"action":"send_notification","user_id":"u-8"}""", messageId: "queue-id-8");

        var messages = (await app.Outbox.ReceiveMessagesAsync(maxMessages: 10)).Value;
        var notifications = messages.Select(m => JsonDocument.Parse(m.MessageText).RootElement).OrderBy(n => n.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(2, notifications.Count);
        Assert.Equal("Build finished", notifications[0].GetProperty("message").GetString());
        Assert.Equal("build-981", notifications[0].GetProperty("idempotency_key").GetString());
        Assert.Equal("You have a new update", notifications[1].GetProperty("message").GetString());
        Assert.Equal("queue-id-8", notifications[1].GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task SendNotification_RedeliveredOrReenqueuedWithSameKey_ReachesOutboxOnce()
    {
        const string withKey = """{"action":"send_notification","user_id":"u-1","idempotency_key":"deploy-7"}""";
        const string withoutKey = """{"action":"send_notification","user_id":"u-2"}""";
        await app.ProcessAsync(withKey, messageId: "a");
        await app.ProcessAsync(withKey, messageId: "b");
        await app.ProcessAsync(withoutKey, messageId: "c", dequeueCount: 1);
        await app.ProcessAsync(withoutKey, messageId: "c", dequeueCount: 2);

        var keys = (await app.Outbox.ReceiveMessagesAsync(maxMessages: 10)).Value
            .Select(m => JsonDocument.Parse(m.MessageText).RootElement.GetProperty("idempotency_key").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(["c", "deploy-7"], keys);
    }

    [Theory]
    [InlineData("not json at all", "invalid_json")]
    [InlineData("""{"action":"launch_rocket"}""", "unknown_action")]
    [InlineData("""{"action":"generate_report"}""", "missing_field")]
    [InlineData("""{"action":"generate_report","report_id":"../etc"}""", "invalid_field")]
    [InlineData("""[{"action":"generate_report"}]""", "not_an_object")]
    public async Task InvalidMessage_IsDeadLetteredWithReasonAndBodyByteForByte(string body, string reason)
    {
        await app.ProcessAsync(body, messageId: "bad-1", dequeueCount: 1);

        var parked = await app.DeadLetters.PeekOrNullAsync();
        Assert.NotNull(parked);
        using var envelope = JsonDocument.Parse(parked);
        Assert.Equal(reason, envelope.RootElement.GetProperty("reason").GetString());
        Assert.Equal(body, envelope.RootElement.GetProperty("original_body").GetString());
        Assert.Equal("bad-1", envelope.RootElement.GetProperty("message_id").GetString());
        Assert.Equal(1, envelope.RootElement.GetProperty("dequeue_count").GetInt64());
        Assert.False(string.IsNullOrWhiteSpace(envelope.RootElement.GetProperty("description").GetString()));
        Assert.Equal(app.Clock.GetUtcNow(), envelope.RootElement.GetProperty("failed_at").GetDateTimeOffset());
    }
}
