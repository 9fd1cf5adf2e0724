using System.Net;
using System.Text;
using FunctionsApp.Greeting;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Tests.Unit.Greeting;

public sealed class GreetingServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 16, 45, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Now);

    private GreetingResult Greet(string? body = null, string? contentType = "application/json", string? queryName = null) =>
        GreetBytes(body is null ? [] : Encoding.UTF8.GetBytes(body), contentType, queryName);

    private GreetingResult GreetBytes(byte[] body, string? contentType = "application/json", string? queryName = null) =>
        new GreetingService(time).Greet(new GreetingRequest(body, contentType, queryName));

    private static void AssertGreets(GreetingResult result, string message)
    {
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Null(result.Error);
        Assert.NotNull(result.Reply);
        Assert.Equal(message, result.Reply.Message);
    }

    private static void AssertFails(GreetingResult result, HttpStatusCode status, string? error = null)
    {
        Assert.Equal(status, result.Status);
        Assert.Null(result.Reply);
        Assert.NotNull(result.Error);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        if (error is not null)
        {
            Assert.Equal(error, result.Error.Error);
        }
    }

    [Fact]
    public void Greet_QueryName_GreetsByName()
    {
        AssertGreets(Greet(queryName: "Ada"), "Hello Ada! Welcome to serverless.");
    }

    [Fact]
    public void Greet_DeclaredLengthOverLimitWithNothingRead_Fails413()
    {
        var result = new GreetingService(time).Greet(new GreetingRequest(ReadOnlyMemory<byte>.Empty, "application/json", "Ada", 30_000_001));

        AssertFails(result, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public void Greet_DeclaredLengthAtLimit_IsGreeted()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"Ada"}""".PadRight(GreetingService.MaxBodyBytes));

        var result = new GreetingService(time).Greet(new GreetingRequest(body, "application/json", null, GreetingService.MaxBodyBytes));

        AssertGreets(result, "Hello Ada! Welcome to serverless.");
    }

    [Fact]
    public void Greet_BodyName_WinsOverQuery()
    {
        AssertGreets(Greet("""{"name":"Grace"}""", queryName: "Ada"), "Hello Grace! Welcome to serverless.");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"other":"x"}""")]
    [InlineData("""{"name":null}""")]
    public void Greet_BodyWithoutName_FallsBackToQuery(string body)
    {
        AssertGreets(Greet(body, queryName: "Ada"), "Hello Ada! Welcome to serverless.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("  \r\n")]
    public void Greet_NoName_GivesAnonymousMessage(string? body)
    {
        AssertGreets(Greet(body), "Hello! Welcome to serverless. Send a name parameter to personalize.");
    }

    [Fact]
    public void Greet_Always_StampsClockTime()
    {
        time.Advance(TimeSpan.FromMinutes(3));

        var result = Greet(queryName: "Ada");

        Assert.Equal(Now.AddMinutes(3), result.Reply!.Timestamp);
    }

    [Fact]
    public void Greet_NameWithSurroundingSpaces_IsTrimmed()
    {
        AssertGreets(Greet("""{"name":"  Ada  "}"""), "Hello Ada! Welcome to serverless.");
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("name=Ada")]
    [InlineData("{'name':'Ada'}")]
    public void Greet_InvalidJson_Fails400InvalidJson(string body)
    {
        AssertFails(Greet(body), HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData("""["Ada"]""")]
    [InlineData("42")]
    [InlineData("\"Ada\"")]
    [InlineData("null")]
    public void Greet_JsonBodyNotAnObject_Fails400(string body)
    {
        AssertFails(Greet(body, queryName: "Ada"), HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData("""{"name":42}""")]
    [InlineData("""{"name":true}""")]
    [InlineData("""{"name":{"first":"Ada"}}""")]
    public void Greet_NameNotAString_Fails400InvalidName(string body)
    {
        AssertFails(Greet(body), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Theory]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"   "}""")]
    public void Greet_EmptyOrWhitespaceBodyName_Fails400InvalidName(string body)
    {
        AssertFails(Greet(body, queryName: "Ada"), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Greet_EmptyOrWhitespaceQueryName_Fails400InvalidName(string name)
    {
        AssertFails(Greet(queryName: name), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_NameOf101Characters_Fails400InvalidName()
    {
        AssertFails(Greet(queryName: new string('a', 101)), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_NameOf100CharactersAfterTrimming_Greets()
    {
        var name = new string('a', 100);

        AssertGreets(Greet(queryName: "   " + name + " "), $"Hello {name}! Welcome to serverless.");
    }

    [Theory]
    [InlineData("Ada\u0007")]
    [InlineData("Ada\nLovelace")]
    [InlineData("A\u0000da")]
    [InlineData("Ada\u007FL")]
    public void Greet_NameWithControlCharacter_Fails400InvalidName(string name)
    {
        AssertFails(Greet(queryName: name), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_JsonNameWithEscapedControlCharacter_Fails400InvalidName()
    {
        AssertFails(Greet("""{"name":"Ada\u0007"}"""), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_BodyOf8193Bytes_Fails413()
    {
        var body = "{\"name\":\"Ada\"}" + new string(' ', 8193 - 14);
        Assert.Equal(8193, Encoding.UTF8.GetByteCount(body));

        AssertFails(Greet(body), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public void Greet_BodyOfExactly8192BytesOfValidJson_Greets()
    {
        var body = "{\"name\":\"Ada\"}" + new string(' ', 8192 - 14);
        Assert.Equal(8192, Encoding.UTF8.GetByteCount(body));

        AssertGreets(Greet(body), "Hello Ada! Welcome to serverless.");
    }

    [Fact]
    public void Greet_BodyOverLimitWithWrongContentType_Fails413First()
    {
        AssertFails(Greet(new string('x', 9000), contentType: "text/plain"), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public void Greet_InvalidUtf8Bytes_Fails400()
    {
        AssertFails(GreetBytes([0xFF, 0xFE, 0x7B, 0x7D]), HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Greet_BodyWithUtf8ByteOrderMark_Greets()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"name\":\"Ada\"}"u8];

        AssertGreets(GreetBytes(body), "Hello Ada! Welcome to serverless.");
    }

    [Theory]
    [InlineData("A\uFFFD(")]
    [InlineData("\uFFFD")]
    public void Greet_QueryNameWithReplacementCharacter_Fails400InvalidName(string name)
    {
        AssertFails(Greet(queryName: name), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_NameWithEscapedLoneSurrogate_Fails400InvalidName()
    {
        AssertFails(Greet("""{"name":"A\ud800"}"""), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_InvalidUtf8InsideNameString_Fails400()
    {
        byte[] body = [.. "{\"name\":\"A"u8, 0xC3, 0x28, .. "\"}"u8];

        AssertFails(GreetBytes(body), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/jsonp")]
    public void Greet_BodyWithNonJsonContentType_Fails415(string contentType)
    {
        AssertFails(Greet("""{"name":"Ada"}""", contentType), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public void Greet_NoBodyWithNonJsonContentType_UsesQuery()
    {
        AssertGreets(Greet(body: null, contentType: "text/plain", queryName: "Ada"), "Hello Ada! Welcome to serverless.");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/problem+json")]
    [InlineData(null)]
    [InlineData("")]
    public void Greet_JsonOrMissingContentType_IsAccepted(string? contentType)
    {
        AssertGreets(Greet("""{"name":"Ada"}""", contentType), "Hello Ada! Welcome to serverless.");
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData(" \u200B\u200B ")]
    [InlineData("\u2060")]
    [InlineData("\uFEFF")]
    public void Greet_NameOfInvisibleCharactersOnly_Fails400InvalidName(string name)
    {
        AssertFails(Greet(queryName: name), HttpStatusCode.BadRequest, "invalid_name");
        AssertFails(Greet("{\"name\":\"" + name + "\"}"), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Theory]
    [InlineData("Ada\u202Eecalevol")]
    [InlineData("\u2066Ada")]
    [InlineData("Ada\u200E")]
    [InlineData("A\u00ADda")]
    [InlineData("Ada\u2028Lovelace")]
    [InlineData("Ada\u200D")]
    public void Greet_NameWithFormatCharacter_Fails400AndIsNotEchoed(string name)
    {
        var result = Greet(queryName: name);

        AssertFails(result, HttpStatusCode.BadRequest, "invalid_name");
        Assert.DoesNotContain("Ada", result.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("👩\u200D💻 Ada")]
    [InlineData("Mohammad\u200CReza")]
    public void Greet_NameWithJoinerBetweenCharacters_Greets(string name)
    {
        AssertGreets(Greet(queryName: name), $"Hello {name}! Welcome to serverless.");
    }

    [Fact]
    public void Greet_NameOf100Emoji_GreetsBecauseEachIsOneCharacter()
    {
        // 100 text elements, 200 UTF-16 units (each emoji is a surrogate pair), 400 with the flags.
        var name = string.Concat(Enumerable.Repeat("😀", 50)) + string.Concat(Enumerable.Repeat("🇫🇷", 50));

        AssertGreets(Greet(queryName: name), $"Hello {name}! Welcome to serverless.");
    }

    [Fact]
    public void Greet_NameOf101Emoji_Fails400InvalidName()
    {
        AssertFails(Greet(queryName: string.Concat(Enumerable.Repeat("😀", 101))), HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public void Greet_NameOf100LettersWithCombiningAccents_Greets()
    {
        var name = string.Concat(Enumerable.Repeat("e\u0301", 100));

        AssertGreets(Greet(queryName: name), $"Hello {name}! Welcome to serverless.");
    }

    [Theory]
    [InlineData("""{"name":"Ada","name":"Grace"}""", "'name'")]
    [InlineData("""{"name":"Ada","extra":{"k":1,"k":2}}""", "'k'")]
    public void Greet_DuplicatePropertyName_Fails400InvalidJsonNamingTheKey(string body, string key)
    {
        var result = Greet(body);

        AssertFails(result, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Contains(key, result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Greet_DuplicateKeyNamedWithControlCharacters_QuotesItEscaped()
    {
        var result = Greet("{\"a\\nb\":1,\"a\\nb\":2}");

        AssertFails(result, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Contains(@"'a\u000Ab'", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Greet_PropertyNameALoneSurrogateEscape_IsNoServerError()
    {
        AssertGreets(Greet("""{"\ud800":1,"name":"Ada"}"""), "Hello Ada! Welcome to serverless.");
    }
}
