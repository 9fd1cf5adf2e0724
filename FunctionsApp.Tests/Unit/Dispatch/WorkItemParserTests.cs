using System.Text;
using FunctionsApp.Dispatch;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class WorkItemParserTests
{
    private static WorkItemParser CreateParser(int maxMessageBytes = DispatchOptions.QueueMessageLimitBytes) =>
        new(Options.Create(new DispatchOptions { MaxMessageBytes = maxMessageBytes }));

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static PermanentFailureException ParseFails(string body, int maxMessageBytes = DispatchOptions.QueueMessageLimitBytes) =>
        Assert.Throws<PermanentFailureException>(() => CreateParser(maxMessageBytes).Parse(body));

    [Fact]
    public void Parse_PlainJsonObject_ReturnsActionAndFields()
    {
        using var item = CreateParser().Parse("""{"action":"generate_report","report_id":"r1"}""");

        Assert.Equal("generate_report", item.Action);
        Assert.Equal("r1", item.Root.GetProperty("report_id").GetString());
    }

    [Fact]
    public void Parse_Base64OfJsonObject_ReturnsActionAndFields()
    {
        using var item = CreateParser().Parse(Base64("""{"action":"send_notification","user_id":"u1"}"""));

        Assert.Equal("send_notification", item.Action);
        Assert.Equal("u1", item.Root.GetProperty("user_id").GetString());
    }

    [Theory]
    [InlineData("  {0}  ")]
    [InlineData("\n{0}\r\n")]
    [InlineData("\t{0}")]
    public void Parse_Base64WithSurroundingWhitespace_ReturnsAction(string layout)
    {
        var body = string.Format(System.Globalization.CultureInfo.InvariantCulture, layout, Base64("""{"action":"generate_report"}"""));

        using var item = CreateParser().Parse(body);

        Assert.Equal("generate_report", item.Action);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t\r\n ")]
    public void Parse_EmptyOrWhitespace_FailsWithEmptyMessage(string body)
    {
        Assert.Equal(FailureReasons.EmptyMessage, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_OverMaxMessageBytes_FailsWithMessageTooLarge()
    {
        var body = """{"action":"generate_report","report_id":"r1"}""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 32);

        var failure = ParseFails(body, maxMessageBytes: 32);

        Assert.Equal(FailureReasons.MessageTooLarge, failure.Reason);
    }

    [Fact]
    public void Parse_MultiByteTextOverLimitInBytesButNotInChars_FailsWithMessageTooLarge()
    {
        // 28 characters, 42 UTF-8 bytes: the limit is the queue's, which counts bytes.
        var body = "{\"action\":\"" + new string('é', 14) + "\"}";
        Assert.True(body.Length <= 32);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 32);

        Assert.Equal(FailureReasons.MessageTooLarge, ParseFails(body, maxMessageBytes: 32).Reason);
    }

    [Fact]
    public void Parse_ExactlyMaxMessageBytes_IsAccepted()
    {
        var body = """{"action":"generate_report"}""";

        using var item = CreateParser(Encoding.UTF8.GetByteCount(body)).Parse(body);

        Assert.Equal("generate_report", item.Action);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("{\"action\":")]
    [InlineData("{action: 'generate_report'}")]
    [InlineData("!!!")]
    public void Parse_NeitherJsonNorBase64_FailsWithInvalidJson(string body)
    {
        Assert.Equal(FailureReasons.InvalidJson, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_Base64OfNonUtf8Bytes_FailsWithInvalidEncoding()
    {
        var body = Convert.ToBase64String([0xFF, 0xFE, 0xC3, 0x28, 0x80]);

        Assert.Equal(FailureReasons.InvalidEncoding, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_Base64OfNonJsonText_FailsWithInvalidJson()
    {
        Assert.Equal(FailureReasons.InvalidJson, ParseFails(Base64("this is not json")).Reason);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[1]")]
    [InlineData("42")]
    [InlineData("\"s\"")]
    [InlineData("true")]
    public void Parse_JsonThatIsNotAnObject_FailsWithNotAnObject(string body)
    {
        Assert.Equal(FailureReasons.NotAnObject, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_Base64OfJsonArray_FailsWithNotAnObject()
    {
        Assert.Equal(FailureReasons.NotAnObject, ParseFails(Base64("""[{"action":"generate_report"}]""")).Reason);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"report_id":"r1"}""")]
    [InlineData("""{"action":null}""")]
    [InlineData("""{"action":""}""")]
    public void Parse_NoUsableAction_FailsWithMissingAction(string body)
    {
        Assert.Equal(FailureReasons.MissingAction, ParseFails(body).Reason);
    }

    [Theory]
    [InlineData("""{"action":42}""")]
    [InlineData("""{"action":true}""")]
    [InlineData("""{"action":{"name":"generate_report"}}""")]
    [InlineData("""{"action":["generate_report"]}""")]
    [InlineData("""{"action":"gen\ud800"}""")]
    public void Parse_ActionNotAString_FailsWithInvalidFieldNamingAction(string body)
    {
        var failure = ParseFails(body);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("action", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ActionCase_IsKeptAsSent()
    {
        using var item = CreateParser().Parse("""{"action":"Generate_Report"}""");

        Assert.Equal("Generate_Report", item.Action);
    }

    [Fact]
    public void Parse_Nested1000Levels_FailsWithInvalidJsonInsteadOfCrashing()
    {
        var body = "{\"action\":\"generate_report\",\"p\":" + new string('[', 1000) + new string(']', 1000) + "}";

        Assert.Equal(FailureReasons.InvalidJson, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_Base64OfNested1000Levels_FailsWithInvalidJson()
    {
        var json = "{\"action\":\"generate_report\",\"p\":" + new string('[', 1000) + new string(']', 1000) + "}";

        Assert.Equal(FailureReasons.InvalidJson, ParseFails(Base64(json)).Reason);
    }
}
