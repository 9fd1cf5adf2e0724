using System.Net;
using System.Text;
using FunctionsApp.DeadLetters;
using FunctionsApp.Functions;
using FunctionsApp.Replay;
using Moq;

namespace FunctionsApp.Tests.Unit.Functions;

/// <summary>Argument checks of the console's functions: a bad argument is a 400 and reaches no storage.</summary>
public sealed class DeadLetterConsoleFunctionsTests
{
    private const string Id = "0b7c3a52-8d7e-4f55-9a57-3c0b2f7d9e11";

    private readonly Mock<IDeadLetterBrowser> browser = new(MockBehavior.Strict);
    private readonly Mock<IDeadLetterReplayer> replayer = new(MockBehavior.Strict);

    [Theory]
    [InlineData("?reason=Unknown_Action", "invalid_reason")]
    [InlineData("?reason=unrecognized", "invalid_reason")]
    [InlineData("?reason=made_up", "invalid_reason")]
    [InlineData("?page_size=0", "invalid_page_size")]
    [InlineData("?page_size=101", "invalid_page_size")]
    [InlineData("?page_size=+5", "invalid_page_size")]
    [InlineData("?continuation=", "invalid_continuation")]
    [InlineData("?continuation=not*base64", "invalid_continuation")]
    [InlineData("?continuation=e30", "invalid_continuation")]
    public async Task List_BadQuery_Answers400AndReadsNothing(string query, string error)
    {
        var response = await List(query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, TestHttpResponse.ReadJson(response).GetProperty("error").GetString());
        browser.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task List_ContinuationAndFilter_ArePassedOn()
    {
        var token = new DeadLetterCursor(500, 100, new Dictionary<string, int> { ["unknown_action"] = 100 }).Encode();
        browser.Setup(b => b.ListAsync("platform_poison", 20, It.Is<DeadLetterCursor>(c => c.Total == 500 && c.Read == 100 && c.Counts["unknown_action"] == 100), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DeadLetterPage([], null, 500, 120, new Dictionary<string, int>(), Complete: true));

        var response = await List($"?reason=platform_poison&page_size=20&continuation={token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(TestHttpResponse.ReadJson(response).GetProperty("complete").GetBoolean());
    }

    [Fact]
    public void Cursor_WithACountKeyTheAppNeverWrites_IsRefused()
    {
        var forged = new DeadLetterCursor(1, 1, new Dictionary<string, int> { ["<script>"] = 1 }).Encode();
        var negative = new DeadLetterCursor(1, -1, new Dictionary<string, int>()).Encode();

        Assert.Null(DeadLetterCursor.TryDecode(forged));
        Assert.Null(DeadLetterCursor.TryDecode(negative));
        Assert.NotNull(DeadLetterCursor.TryDecode(new DeadLetterCursor(1, 1, new Dictionary<string, int> { ["unrecognized"] = 1 }).Encode()));
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("0b7c3a528d7e4f559a573c0b2f7d9e11")]
    [InlineData("..%2F..%2Fvictim")]
    public async Task GetAndDiscard_MalformedId_Answer400AndTouchNothing(string id)
    {
        var get = TestHttpRequest.Create("GET", "http://localhost:7071/api/dead-letters/x");
        var delete = TestHttpRequest.Create("DELETE", "http://localhost:7071/api/dead-letters/x");

        var got = await TestHttpResponse.ExecuteAsync(await new GetDeadLetterFunction(browser.Object).Run(get, id, CancellationToken.None), get);
        var deleted = await TestHttpResponse.ExecuteAsync(await new DiscardDeadLetterFunction(browser.Object).Run(delete, id, CancellationToken.None), delete);

        Assert.Equal(HttpStatusCode.BadRequest, got.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deleted.StatusCode);
        browser.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Discard_WithoutPrincipalHeaders_NamesAFunctionKeyHolder()
    {
        browser.Setup(b => b.DiscardAsync(Id, "a function key holder (no client principal)", It.IsAny<CancellationToken>())).ReturnsAsync((DeadLetterSummary?)null);
        var request = TestHttpRequest.Create("DELETE", "http://localhost:7071/api/dead-letters/" + Id);

        var response = await TestHttpResponse.ExecuteAsync(await new DiscardDeadLetterFunction(browser.Object).Run(request, Id, CancellationToken.None), request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        browser.VerifyAll();
    }

    [Theory]
    [InlineData("""{"ids":["0b7c3a52-8d7e-4f55-9a57-3c0b2f7d9e11"]}""", "ids_with_filter", "?reason=unknown_action")]
    [InlineData("""{"ids":["0b7c3a52-8d7e-4f55-9a57-3c0b2f7d9e11"]}""", "ids_with_filter", "?max=5")]
    [InlineData("""{"ids":[]}""", "invalid_ids", "")]
    [InlineData("""{"ids":["x1"]}""", "invalid_ids", "")]
    [InlineData("""{"ids":[null]}""", "invalid_ids", "")]
    [InlineData("""{"ids":"0b7c3a52-8d7e-4f55-9a57-3c0b2f7d9e11"}""", "invalid_body", "")]
    [InlineData("""{"id":["0b7c3a52-8d7e-4f55-9a57-3c0b2f7d9e11"]}""", "invalid_body", "")]
    [InlineData("not json", "invalid_body", "")]
    public async Task Replay_BadIdsBody_Answers400AndReplaysNothing(string body, string error, string query)
    {
        var response = await Replay(query, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, TestHttpResponse.ReadJson(response).GetProperty("error").GetString());
        replayer.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Replay_TooManyIds_Answers400()
    {
        var ids = string.Join(",", Enumerable.Range(0, ReplayDeadLettersFunction.MaxIds + 1).Select(_ => "\"" + Guid.NewGuid() + "\""));

        var response = await Replay("", "{\"ids\":[" + ids + "]}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_ids", TestHttpResponse.ReadJson(response).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Replay_Ids_AreReplayedOnceEach()
    {
        replayer.Setup(r => r.ReplayIdsAsync(It.Is<IReadOnlyCollection<string>>(ids => ids.SequenceEqual(new[] { Id })), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ReplayReport(1, 0, 0, 0, new Dictionary<string, int> { ["unknown_action"] = 1 }, 0, new Dictionary<string, int>()) { NotFound = [] });

        var response = await Replay("", $$"""{"ids":["{{Id}}","{{Id}}"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, TestHttpResponse.ReadJson(response).GetProperty("moved").GetInt32());
        replayer.VerifyAll();
    }

    private async Task<TestHttpResponse> List(string query)
    {
        var request = TestHttpRequest.Create("GET", "http://localhost:7071/api/dead-letters" + query);
        return await TestHttpResponse.ExecuteAsync(await new ListDeadLettersFunction(browser.Object).Run(request, CancellationToken.None), request);
    }

    private async Task<TestHttpResponse> Replay(string query, string body)
    {
        var request = TestHttpRequest.Create("POST", "http://localhost:7071/api/dead-letters/replay" + query, new MemoryStream(Encoding.UTF8.GetBytes(body)), "application/json");
        return await TestHttpResponse.ExecuteAsync(await new ReplayDeadLettersFunction(replayer.Object).Run(request, CancellationToken.None), request);
    }
}
