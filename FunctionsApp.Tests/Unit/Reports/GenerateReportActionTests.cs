using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionsApp.Dispatch;
using FunctionsApp.Reports;

namespace FunctionsApp.Tests.Unit.Reports;

public sealed class GenerateReportActionTests
{
    /// <summary>A generate_report message with these fields (a null text as JSON null), read as the runner reads it.</summary>
    private static GenerateReportAction Read(string? reportId, string? title, string? parameters)
    {
        var message = new JsonObject
        {
            ["action"] = GenerateReportAction.Name,
            ["report_id"] = reportId,
            ["title"] = title,
        }.ToJsonString();
        // Parameters go in as written: some hold escapes no JSON writer would produce.
        if (parameters is not null)
        {
            message = message[..^1] + ""","parameters":""" + parameters + "}";
        }

        using var document = JsonDocument.Parse(message);
        return GenerateReportAction.Read(new ActionFields(GenerateReportAction.Name, document.RootElement));
    }

    private static PermanentFailureException ReadFails(string? reportId, string? title, string? parameters) =>
        Assert.Throws<PermanentFailureException>(() => Read(reportId, title, parameters));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Read_ReportIdMissingOrBlank_FailsWithMissingField(string? reportId)
    {
        var failure = ReadFails(reportId, null, null);

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        Assert.Contains("report_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ReportIdOf128Characters_Passes()
    {
        Read(new string('a', 128), null, null);
    }

    [Fact]
    public void Read_ReportIdOf129Characters_FailsWithInvalidField()
    {
        var failure = ReadFails(new string('a', 129), null, null);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("report_id", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("x/../y")]
    [InlineData("a..b")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("résumé")]
    [InlineData("a b")]
    [InlineData(" a")]
    [InlineData("a:b")]
    [InlineData("a?b")]
    public void Read_ReportIdUnsafeForABlobName_FailsWithInvalidField(string reportId)
    {
        var failure = ReadFails(reportId, null, null);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("report_id", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A-z_0.9")]
    [InlineData("r")]
    [InlineData("2026-11-26.daily")]
    public void Read_ReportIdOfSafeCharacters_Passes(string reportId)
    {
        Read(reportId, null, null);
    }

    [Fact]
    public void Read_TitleOf200Characters_Passes()
    {
        Read("r1", new string('t', 200), null);
    }

    [Fact]
    public void Read_TitleOver200Characters_FailsWithInvalidField()
    {
        var failure = ReadFails("r1", new string('t', 201), null);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("title", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("true")]
    public void Read_ParametersNotAnObject_FailsWithInvalidField(string parameters)
    {
        var failure = ReadFails("r1", null, parameters);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("parameters", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"from":"2026-01-01","depth":3}""")]
    [InlineData("null")]
    public void Read_ParametersObjectOrNull_Passes(string parameters)
    {
        Read("r1", "Title", parameters);
    }

    // Valid JSON that is no text: before this check the report upload failed on every attempt
    // (the serializer cannot write it), so the message was retried to exhaustion.
    [Theory]
    [InlineData("""{"note":"\ud800"}""")]
    [InlineData("""{"notes":["ok",{"deep":"x\udc00"}]}""")]
    [InlineData("""{"\ud800":1}""")]
    public void Read_ParametersHoldingAnEscapedLoneSurrogate_FailsWithInvalidField(string parameters)
    {
        var failure = ReadFails("r1", null, parameters);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("parameters", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ParametersHoldingAnEscapedSurrogatePair_Passes()
    {
        Read("r1", null, """{"mood":"\ud83d\ude00"}""");
    }
}
