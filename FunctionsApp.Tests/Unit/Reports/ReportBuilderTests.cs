using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Reports;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Tests.Unit.Reports;

public sealed class ReportBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 14, 15, 16, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Now);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Build_NoTitle_UsesReportAndId(string? title)
    {
        var report = ReportBuilder.Build(new GenerateReportAction("q3-sales", title, null), new ActionContext("m", 1), time.GetUtcNow());

        Assert.Equal("Report q3-sales", report.Title);
    }

    [Fact]
    public void Build_WithTitle_KeepsTitle()
    {
        var report = ReportBuilder.Build(new GenerateReportAction("r1", "Quarterly sales", null), new ActionContext("m", 1), time.GetUtcNow());

        Assert.Equal("Quarterly sales", report.Title);
    }

    [Fact]
    public void Build_Always_StampsClockTimeAndSourceMessage()
    {
        time.Advance(TimeSpan.FromHours(2));

        var report = ReportBuilder.Build(new GenerateReportAction("r1", null, null), new ActionContext("msg-77", 3), time.GetUtcNow());

        Assert.Equal("r1", report.ReportId);
        Assert.Equal(Now.AddHours(2), report.GeneratedAt);
        Assert.Equal("msg-77", report.SourceMessageId);
    }

    [Fact]
    public void Build_WithParameters_KeepsThem()
    {
        using var document = JsonDocument.Parse("""{"region":"emea","depth":3}""");

        var report = ReportBuilder.Build(new GenerateReportAction("r1", null, document.RootElement), new ActionContext("m", 1), time.GetUtcNow());

        Assert.NotNull(report.Parameters);
        Assert.Equal("emea", report.Parameters.Value.GetProperty("region").GetString());
        Assert.Equal(3, report.Parameters.Value.GetProperty("depth").GetInt32());
    }

    [Fact]
    public void Build_WithoutParameters_HasNone()
    {
        var report = ReportBuilder.Build(new GenerateReportAction("r1", null, null), new ActionContext("m", 1), time.GetUtcNow());

        Assert.Null(report.Parameters);
    }
}
