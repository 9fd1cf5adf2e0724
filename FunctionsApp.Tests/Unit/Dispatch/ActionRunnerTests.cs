using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using Moq;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class ActionRunnerTests
{
    private static readonly ActionContext Context = new("msg-1", 2);

    private readonly Mock<IActionHandler<GenerateReportAction>> reports = new(MockBehavior.Strict);
    private readonly Mock<IActionHandler<SendNotificationAction>> notifications = new(MockBehavior.Strict);

    // The message as the dispatcher hands it on: parsed once, by the strict parser.
    private static ActionMessage Parsed(string json, string action) => new(action, JsonDocument.Parse(json));

    private async Task RunReport(string json)
    {
        using var message = Parsed(json, GenerateReportAction.Name);
        await new ActionRunner<GenerateReportAction>(reports.Object).RunAsync(message, Context, CancellationToken.None);
    }

    private async Task RunNotification(string json)
    {
        using var message = Parsed(json, SendNotificationAction.Name);
        await new ActionRunner<SendNotificationAction>(notifications.Object).RunAsync(message, Context, CancellationToken.None);
    }

    [Fact]
    public async Task RunAsync_ValidReport_HandsSnakeCaseFieldsAndContextToHandler()
    {
        GenerateReportAction? received = null;
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), Context, It.IsAny<CancellationToken>()))
            .Callback<GenerateReportAction, ActionContext, CancellationToken>((c, _, _) => received = c)
            .Returns(Task.CompletedTask);

        await RunReport("""{"action":"generate_report","report_id":"r1","title":"Sales","parameters":{"year":2026}}""");

        Assert.NotNull(received);
        Assert.Equal("r1", received.ReportId);
        Assert.Equal("Sales", received.Title);
        Assert.Equal(2026, received.Parameters!.Value.GetProperty("year").GetInt32());
        reports.Verify(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), Context, It.IsAny<CancellationToken>()), Times.Once);
    }

    // The action is read from the message's one parse, yet what the handler keeps does not
    // depend on that document: the dispatcher frees it when the attempt ends.
    [Fact]
    public async Task RunAsync_ReportParameters_StayReadableAfterTheMessageIsFreed()
    {
        GenerateReportAction? received = null;
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), Context, It.IsAny<CancellationToken>()))
            .Callback<GenerateReportAction, ActionContext, CancellationToken>((c, _, _) => received = c)
            .Returns(Task.CompletedTask);

        await RunReport("""{"action":"generate_report","report_id":"r1","parameters":{"region":"north"}}""");

        Assert.Equal("north", received!.Parameters!.Value.GetProperty("region").GetString());
    }

    // A document whose bytes no default reader accepts (it holds a comment, which the parse that
    // made it skipped): the action still reads, so it is read from the parsed document itself and
    // not by tokenizing the message text a second time, as deserializing the command once did.
    [Fact]
    public async Task RunAsync_DocumentNoSecondReaderWouldAccept_StillReadsTheAction()
    {
        const string json = """{"action":"send_notification", /* set by the producer */ "user_id":"u1"}""";
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json));
        notifications.Setup(h => h.HandleAsync(new SendNotificationAction("u1", null, null), Context, It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        using var message = new ActionMessage(SendNotificationAction.Name,
            JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }));

        await new ActionRunner<SendNotificationAction>(notifications.Object).RunAsync(message, Context, CancellationToken.None);

        notifications.Verify(h => h.HandleAsync(new SendNotificationAction("u1", null, null), Context, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task RunAsync_ValidNotification_HandsFieldsToHandler()
    {
        notifications.Setup(h => h.HandleAsync(new SendNotificationAction("u1", "hi", "k1"), Context, It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);

        await RunNotification("""{"action":"send_notification","user_id":"u1","message":"hi","idempotency_key":"k1"}""");

        notifications.Verify(h => h.HandleAsync(new SendNotificationAction("u1", "hi", "k1"), Context, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData("""{"action":"generate_report","report_id":42}""", "report_id")]
    [InlineData("""{"action":"generate_report","report_id":"r1","title":["a"]}""", "title")]
    [InlineData("""{"action":"generate_report","report_id":true}""", "report_id")]
    public async Task RunAsync_ReportFieldOfWrongType_FailsWithInvalidFieldNamingIt(string json, string field)
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RunReport(json));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains($"'{field}'", failure.Message, StringComparison.Ordinal);
        reports.VerifyNoOtherCalls();
    }

    [Theory]
    [InlineData("""{"action":"send_notification","user_id":7}""", "user_id")]
    [InlineData("""{"action":"send_notification","user_id":"u1","message":{"text":"hi"}}""", "message")]
    [InlineData("""{"action":"send_notification","user_id":"u1","idempotency_key":5}""", "idempotency_key")]
    public async Task RunAsync_NotificationFieldOfWrongType_FailsWithInvalidFieldNamingIt(string json, string field)
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RunNotification(json));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains($"'{field}'", failure.Message, StringComparison.Ordinal);
        notifications.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task RunAsync_MissingRequiredField_FailsWithMissingFieldAndSkipsHandler()
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RunReport("""{"action":"generate_report"}"""));

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        reports.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_PropagatesSameException()
    {
        var boom = new IOException("disk");
        notifications.Setup(h => h.HandleAsync(It.IsAny<SendNotificationAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(boom);

        var thrown = await Assert.ThrowsAsync<IOException>(() => RunNotification("""{"action":"send_notification","user_id":"u1"}"""));

        Assert.Same(boom, thrown);
    }
}
