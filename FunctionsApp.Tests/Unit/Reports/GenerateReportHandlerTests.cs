using FunctionsApp.Tests.Infrastructure;
using Azure;
using FunctionsApp.Dispatch;
using FunctionsApp.Reports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace FunctionsApp.Tests.Unit.Reports;

public sealed class GenerateReportHandlerTests
{
    private static readonly GenerateReportAction Action = new("r1", "Sales", null);
    private static readonly ActionContext Context = new("msg-1", 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private static readonly ReportDocument Report = new("r1", "Sales", null, Now, "msg-1");

    private readonly Mock<IReportStore> store = new(MockBehavior.Strict);
    private readonly FakeLogger<GenerateReportHandler> logger = new();
    private readonly GenerateReportHandler handler;

    public GenerateReportHandlerTests()
    {
        handler = new GenerateReportHandler(store.Object, new FakeTimeProvider(Now), TestMetrics.Create(), logger);
    }

    [Fact]
    public async Task HandleAsync_NewReport_SavesBuiltReportAndLogs2000()
    {
        using var cancellation = new CancellationTokenSource();
        store.Setup(s => s.SaveIfAbsentAsync(Report, cancellation.Token)).ReturnsAsync(true);

        await handler.HandleAsync(Action, Context, cancellation.Token);

        store.Verify(s => s.SaveIfAbsentAsync(Report, cancellation.Token), Times.Once);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(2000, record.Id.Id);
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("r1", record.GetStructuredStateValue("ReportId"));
    }

    [Fact]
    public async Task HandleAsync_ReportExistsAlready_CompletesAndLogs2001()
    {
        store.Setup(s => s.SaveIfAbsentAsync(Report, It.IsAny<CancellationToken>())).ReturnsAsync(false);

        await handler.HandleAsync(Action, Context, CancellationToken.None);

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(2001, record.Id.Id);
        Assert.Equal("r1", record.GetStructuredStateValue("ReportId"));
    }

    [Fact]
    public async Task HandleAsync_StoreThrows_PropagatesSameExceptionAndLogsNoSuccess()
    {
        var failure = new RequestFailedException(503, "Server busy");
        store.Setup(s => s.SaveIfAbsentAsync(Report, It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => handler.HandleAsync(Action, Context, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id is 2000 or 2001);
    }
}
