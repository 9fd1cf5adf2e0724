using System.Text;
using FunctionsApp.Dispatch;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class ActionParserTests
{
    private static ActionParser CreateParser(int maxMessageBytes = DispatchOptions.QueueMessageLimitBytes) =>
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

    /// <summary>Base64 wrapped at 76 characters, as coreutils' base64 and Python's base64.encodebytes write it.</summary>
    private static string WrappedBase64(string text, string lineBreak)
    {
        var flat = Base64(text);
        var lines = Enumerable.Range(0, (flat.Length + 75) / 76).Select(i => flat.Substring(i * 76, Math.Min(76, flat.Length - (i * 76))));
        return string.Join(lineBreak, lines) + lineBreak;
    }

    private const string LongReport =
        """{"action":"generate_report","report_id":"r-wrapped","title":"A title long enough that its base64 needs more than one line of 76"}""";

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Parse_Base64WrappedInLines_ReturnsActionAndFields(string lineBreak)
    {
        var body = WrappedBase64(LongReport, lineBreak);
        Assert.Contains(lineBreak + "", body.TrimEnd(), StringComparison.Ordinal);

        using var item = CreateParser().Parse(body);

        Assert.Equal("generate_report", item.Action);
        Assert.Equal("r-wrapped", item.Root.GetProperty("report_id").GetString());
    }

    [Fact]
    public void Parse_PlainJsonAfterByteOrderMark_ReturnsAction()
    {
        using var item = CreateParser().Parse("\uFEFF" + """{"action":"generate_report","report_id":"r1"}""");

        Assert.Equal("generate_report", item.Action);
    }

    [Fact]
    public void Parse_Base64OfJsonWithByteOrderMark_ReturnsAction()
    {
        var body = Convert.ToBase64String([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("""{"action":"generate_report","report_id":"r1"}""")]);

        using var item = CreateParser().Parse(body);

        Assert.Equal("generate_report", item.Action);
    }

    [Theory]
    [InlineData("""{"action":"generate_report","report_id":"a","report_id":"b"}""", "'report_id'", "'$'")]
    [InlineData("""{"action":"generate_report","action":"send_notification"}""", "'action'", "'$'")]
    [InlineData("""{"action":"generate_report","report_id":"r1","parameters":{"week":47,"week":48}}""", "'week'", "'$.parameters'")]
    [InlineData("""{"action":"generate_report","report_id":"r1","parameters":{"rows":[{"n":1},{"n":1,"n":2}]}}""", "'n'", "'$.parameters.rows[1]'")]
    [InlineData("""{"action":"generate_report","report_id":"a","\u0072eport_id":"b"}""", "'report_id'", "'$'")]
    public void Parse_DuplicatePropertyName_FailsWithInvalidJsonNamingTheKeyAndWhere(string body, string key, string where)
    {
        var failure = ParseFails(body);

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        Assert.Contains(where, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Base64OfJsonWithDuplicateKey_FailsWithInvalidJsonNamingTheKey()
    {
        var failure = ParseFails(Base64("""{"action":"generate_report","report_id":"a","report_id":"b"}"""));

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.Contains("base64", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'report_id'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Prose_SaysItIsNotJsonAndWhyItIsNotBase64()
    {
        var failure = ParseFails("hello world");

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.StartsWith("The message is not JSON (", failure.Message, StringComparison.Ordinal);
        Assert.Contains("nor base64: it holds ' ' at character 6", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Base64OfWrongLength_SaysSo()
    {
        var failure = ParseFails("eyJhY3Rpb24iOi");

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.Contains("14 base64 characters", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not a multiple of 4", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Base64OfNonJsonText_SaysWhatItEncodesIsNotJson()
    {
        var failure = ParseFails(WrappedBase64(new string('x', 100), "\n"));

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.StartsWith("The message is base64, but what it encodes is not JSON", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("neither", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Base64OfNonUtf8Bytes_SaysItIsBase64ButNotUtf8()
    {
        var failure = ParseFails(Convert.ToBase64String([0xFF, 0xFE, 0xC3, 0x28, 0x80]));

        Assert.Contains("base64", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\uFEFF")]
    [InlineData("\uFEFF \r\n")]
    public void Parse_OnlyAByteOrderMark_FailsWithEmptyMessage(string body)
    {
        Assert.Equal(FailureReasons.EmptyMessage, ParseFails(body).Reason);
    }

    [Fact]
    public void Parse_PropertyNameALoneSurrogateEscape_IsNotMistakenForADuplicateOrACrash()
    {
        // The reader's own duplicate check throws InvalidOperationException on such a name.
        using var item = CreateParser().Parse("""{"action":"generate_report","parameters":{"\ud800":1,"\ud801":2}}""");

        Assert.Equal("generate_report", item.Action);
    }

    [Fact]
    public void Parse_DuplicateBesideALoneSurrogateName_IsStillFound()
    {
        var failure = ParseFails("""{"action":"generate_report","\ud800":1,"report_id":"a","report_id":"b"}""");

        Assert.Equal(FailureReasons.InvalidJson, failure.Reason);
        Assert.Contains("'report_id'", failure.Message, StringComparison.Ordinal);
    }
}
