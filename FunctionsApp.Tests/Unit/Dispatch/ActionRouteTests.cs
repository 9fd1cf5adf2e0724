using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using Moq;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class ActionRouteTests
{
    private static readonly WorkItemContext Context = new("msg-1", 2);

    private readonly Mock<ICommandHandler<GenerateReportCommand>> reports = new(MockBehavior.Strict);
    private readonly Mock<ICommandHandler<SendNotificationCommand>> notifications = new(MockBehavior.Strict);

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private Task RouteReport(string json) =>
        new ActionRoute<GenerateReportCommand>(reports.Object).RouteAsync(Json(json), Context, CancellationToken.None);

    private Task RouteNotification(string json) =>
        new ActionRoute<SendNotificationCommand>(notifications.Object).RouteAsync(Json(json), Context, CancellationToken.None);

    [Fact]
    public async Task RouteAsync_ValidReport_HandsSnakeCaseFieldsAndContextToHandler()
    {
        GenerateReportCommand? received = null;
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportCommand>(), Context, It.IsAny<CancellationToken>()))
            .Callback<GenerateReportCommand, WorkItemContext, CancellationToken>((c, _, _) => received = c)
            .Returns(Task.CompletedTask);

        await RouteReport("""{"action":"generate_report","report_id":"r1","title":"Sales","parameters":{"year":2026}}""");

        Assert.NotNull(received);
        Assert.Equal("r1", received.ReportId);
        Assert.Equal("Sales", received.Title);
        Assert.Equal(2026, received.Parameters!.Value.GetProperty("year").GetInt32());
        reports.Verify(h => h.HandleAsync(It.IsAny<GenerateReportCommand>(), Context, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task RouteAsync_ValidNotification_HandsFieldsToHandler()
    {
        notifications.Setup(h => h.HandleAsync(new SendNotificationCommand("u1", "hi", "k1"), Context, It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);

        await RouteNotification("""{"action":"send_notification","user_id":"u1","message":"hi","idempotency_key":"k1"}""");

        notifications.Verify(h => h.HandleAsync(new SendNotificationCommand("u1", "hi", "k1"), Context, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData("""{"action":"generate_report","report_id":42}""", "report_id")]
    [InlineData("""{"action":"generate_report","report_id":"r1","title":["a"]}""", "title")]
    [InlineData("""{"action":"generate_report","report_id":true}""", "report_id")]
    public async Task RouteAsync_ReportFieldOfWrongType_FailsWithInvalidFieldNamingIt(string json, string field)
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RouteReport(json));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains($"'{field}'", failure.Message, StringComparison.Ordinal);
        reports.VerifyNoOtherCalls();
    }

    [Theory]
    [InlineData("""{"action":"send_notification","user_id":7}""", "user_id")]
    [InlineData("""{"action":"send_notification","user_id":"u1","message":{"text":"hi"}}""", "message")]
    [InlineData("""{"action":"send_notification","user_id":"u1","idempotency_key":5}""", "idempotency_key")]
    public async Task RouteAsync_NotificationFieldOfWrongType_FailsWithInvalidFieldNamingIt(string json, string field)
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RouteNotification(json));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains($"'{field}'", failure.Message, StringComparison.Ordinal);
        notifications.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task RouteAsync_MissingRequiredField_FailsWithMissingFieldAndSkipsHandler()
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => RouteReport("""{"action":"generate_report"}"""));

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        reports.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task RouteAsync_HandlerThrows_PropagatesSameException()
    {
        var boom = new IOException("disk");
        notifications.Setup(h => h.HandleAsync(It.IsAny<SendNotificationCommand>(), It.IsAny<WorkItemContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(boom);

        var thrown = await Assert.ThrowsAsync<IOException>(() => RouteNotification("""{"action":"send_notification","user_id":"u1"}"""));

        Assert.Same(boom, thrown);
    }
}
