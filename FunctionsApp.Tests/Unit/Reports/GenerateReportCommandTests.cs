using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Reports;

namespace FunctionsApp.Tests.Unit.Reports;

public sealed class GenerateReportCommandTests
{
    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static PermanentFailureException ValidateFails(GenerateReportCommand command) =>
        Assert.Throws<PermanentFailureException>(command.Validate);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_ReportIdMissingOrBlank_FailsWithMissingField(string? reportId)
    {
        var failure = ValidateFails(new GenerateReportCommand(reportId, null, null));

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        Assert.Contains("report_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportIdOf128Characters_Passes()
    {
        new GenerateReportCommand(new string('a', 128), null, null).Validate();
    }

    [Fact]
    public void Validate_ReportIdOf129Characters_FailsWithInvalidField()
    {
        var failure = ValidateFails(new GenerateReportCommand(new string('a', 129), null, null));

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
    public void Validate_ReportIdUnsafeForABlobName_FailsWithInvalidField(string reportId)
    {
        var failure = ValidateFails(new GenerateReportCommand(reportId, null, null));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("report_id", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A-z_0.9")]
    [InlineData("r")]
    [InlineData("2026-11-26.daily")]
    public void Validate_ReportIdOfSafeCharacters_Passes(string reportId)
    {
        new GenerateReportCommand(reportId, null, null).Validate();
    }

    [Fact]
    public void Validate_TitleOf200Characters_Passes()
    {
        new GenerateReportCommand("r1", new string('t', 200), null).Validate();
    }

    [Fact]
    public void Validate_TitleOver200Characters_FailsWithInvalidField()
    {
        var failure = ValidateFails(new GenerateReportCommand("r1", new string('t', 201), null));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("title", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("true")]
    public void Validate_ParametersNotAnObject_FailsWithInvalidField(string parameters)
    {
        var failure = ValidateFails(new GenerateReportCommand("r1", null, Json(parameters)));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("parameters", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"from":"2026-01-01","depth":3}""")]
    [InlineData("null")]
    public void Validate_ParametersObjectOrNull_Passes(string parameters)
    {
        new GenerateReportCommand("r1", "Title", Json(parameters)).Validate();
    }

    // Valid JSON that is no text: before this check the report upload failed on every attempt
    // (the serializer cannot write it), so the message was retried to exhaustion.
    [Theory]
    [InlineData("""{"note":"\ud800"}""")]
    [InlineData("""{"notes":["ok",{"deep":"x\udc00"}]}""")]
    [InlineData("""{"\ud800":1}""")]
    public void Validate_ParametersHoldingAnEscapedLoneSurrogate_FailsWithInvalidField(string parameters)
    {
        var failure = ValidateFails(new GenerateReportCommand("r1", null, Json(parameters)));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("parameters", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ParametersHoldingAnEscapedSurrogatePair_Passes()
    {
        new GenerateReportCommand("r1", null, Json("""{"mood":"\ud83d\ude00"}""")).Validate();
    }
}
