using FunctionsApp.Tests.Infrastructure;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace FunctionsApp.Tests.Unit.Notifications;

public sealed class SendNotificationHandlerTests
{
    private const string SecretText = "Your test results are in, Ada";

    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly ActionContext Context = new("msg-31", 2);

    private readonly Mock<INotificationSender> sender = new();
    private readonly Mock<ISentNotificationLog> sentLog = new();
    private readonly List<string> calls = [];
    private readonly FakeTimeProvider time = new(Now);
    private readonly FakeLogger<SendNotificationHandler> logger = new();
    private readonly List<Notification> sent = [];
    private readonly SendNotificationHandler handler;

    public SendNotificationHandlerTests()
    {
        sender.Setup(s => s.SendAsync(It.IsAny<Notification>(), It.IsAny<CancellationToken>()))
            .Callback<Notification, CancellationToken>((n, _) =>
            {
                sent.Add(n);
                calls.Add("send " + n.IdempotencyKey);
            })
            .Returns(Task.CompletedTask);
        sentLog.Setup(l => l.ContainsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(false);
        sentLog.Setup(l => l.AddAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((key, _) => calls.Add("record " + key))
            .Returns(Task.CompletedTask);
        handler = new SendNotificationHandler(sender.Object, sentLog.Object, time, TestMetrics.Create(), logger);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \t")]
    public async Task HandleAsync_MessageAbsentOrBlank_SendsDefaultMessage(string? message)
    {
        await handler.HandleAsync(new SendNotificationAction("u1", message, null), Context, CancellationToken.None);

        Assert.Equal("You have a new update", Assert.Single(sent).Message);
    }

    [Fact]
    public async Task HandleAsync_WithMessage_SendsItToTheUser()
    {
        await handler.HandleAsync(new SendNotificationAction("u1", "Build finished", null), Context, CancellationToken.None);

        var notification = Assert.Single(sent);
        Assert.Equal("u1", notification.UserId);
        Assert.Equal("Build finished", notification.Message);
    }

    [Fact]
    public async Task HandleAsync_WithIdempotencyKey_UsesIt()
    {
        await handler.HandleAsync(new SendNotificationAction("u1", null, "order-991"), Context, CancellationToken.None);

        Assert.Equal("order-991", Assert.Single(sent).IdempotencyKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task HandleAsync_WithoutIdempotencyKey_UsesQueueMessageId(string? key)
    {
        await handler.HandleAsync(new SendNotificationAction("u1", null, key), Context, CancellationToken.None);

        Assert.Equal("msg-31", Assert.Single(sent).IdempotencyKey);
    }

    [Fact]
    public async Task HandleAsync_Always_StampsCreatedAtFromClock()
    {
        time.Advance(TimeSpan.FromSeconds(90));

        await handler.HandleAsync(new SendNotificationAction("u1", null, null), Context, CancellationToken.None);

        Assert.Equal(Now.AddSeconds(90), Assert.Single(sent).CreatedAt);
    }

    [Fact]
    public async Task HandleAsync_Sent_PassesCancellationTokenAndLogs3000WithTheKeysHashNotTheKey()
    {
        using var cancellation = new CancellationTokenSource();

        await handler.HandleAsync(new SendNotificationAction("u1", null, "k-1"), Context, cancellation.Token);

        sender.Verify(s => s.SendAsync(It.IsAny<Notification>(), cancellation.Token), Times.Once);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(3000, record.Id.Id);
        // The first 16 hex digits of SHA-256("2:u1:k-1") (the key within its user), the start of its sent-keys blob's name.
        Assert.Equal("9dcd0d341a80cecb", record.GetStructuredStateValue("IdempotencyKeyHash"));
        Assert.StartsWith("9dcd0d341a80cecb", BlobSentNotificationLog.BlobName(SendNotificationHandler.SentKey("u1", "k-1")), StringComparison.Ordinal);
        Assert.DoesNotContain("k-1", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SenderThrows_PropagatesSameException()
    {
        var failure = new IOException("outbox unavailable");
        sender.Setup(s => s.SendAsync(It.IsAny<Notification>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<IOException>(() =>
            handler.HandleAsync(new SendNotificationAction("u1", "hi", null), Context, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 3000);
    }

    [Fact]
    public async Task HandleAsync_WithText_NeverLogsTheText()
    {
        await handler.HandleAsync(new SendNotificationAction("u1", SecretText, null), Context, CancellationToken.None);

        var records = logger.Collector.GetSnapshot();
        Assert.NotEmpty(records);
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(SecretText, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(r.StructuredState ?? [], pair => pair.Value == SecretText);
        });
    }

    [Fact]
    public async Task HandleAsync_NewKey_SendsThenRecordsTheKey()
    {
        await handler.HandleAsync(new SendNotificationAction("u1", null, "key-1"), Context, CancellationToken.None);

        Assert.Equal(["send key-1", "record 2:u1:key-1"], calls);
    }

    [Fact]
    public async Task HandleAsync_KeySentBefore_SendsNothingAndLogsSuppression()
    {
        sentLog.Setup(l => l.ContainsAsync(SendNotificationHandler.SentKey("u1", "key-1"), It.IsAny<CancellationToken>())).ReturnsAsync(true);

        await handler.HandleAsync(new SendNotificationAction("u1", SecretText, "key-1"), Context, CancellationToken.None);

        Assert.Empty(sent);
        sentLog.Verify(l => l.AddAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
        var suppressed = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 3001);
        Assert.Equal(BlobSentNotificationLog.BlobName(SendNotificationHandler.SentKey("u1", "key-1"))[..16], suppressed.GetStructuredStateValue("IdempotencyKeyHash"));
        Assert.DoesNotContain("key-1", suppressed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretText, suppressed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SameKeyForAnotherUser_IsSentAndRecordedForThatUser()
    {
        sentLog.Setup(l => l.ContainsAsync(SendNotificationHandler.SentKey("u1", "key-1"), It.IsAny<CancellationToken>())).ReturnsAsync(true);

        await handler.HandleAsync(new SendNotificationAction("u2", null, "key-1"), Context, CancellationToken.None);

        Assert.Equal("u2", Assert.Single(sent).UserId);
        Assert.Equal(["send key-1", "record 2:u2:key-1"], calls);
    }

    [Theory]
    [InlineData("a", "b:c", "a:b", "c")]
    [InlineData("1:a", "b", "1", "a:b")]
    [InlineData("", "1:x", "1:", "x")]
    public void SentKey_PairsWrittenAlike_StayApart(string userA, string keyA, string userB, string keyB)
    {
        Assert.NotEqual(SendNotificationHandler.SentKey(userA, keyA), SendNotificationHandler.SentKey(userB, keyB));
    }

    [Fact]
    public async Task HandleAsync_RecordingFailsAfterSending_PropagatesSoTheMessageIsRetried()
    {
        var failure = new IOException("blob down");
        sentLog.Setup(l => l.AddAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<IOException>(
            () => handler.HandleAsync(new SendNotificationAction("u1", null, "key-1"), Context, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.Single(sent);
    }
}
