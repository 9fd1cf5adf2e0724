using FunctionsApp.Tests.Infrastructure;
using System.Globalization;
using System.Net;
using System.Text;
using FunctionsApp.Functions;
using FunctionsApp.Greeting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Tests.Unit.Functions;

public sealed class HelloFunctionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 5, 7, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Now);
    private readonly FakeLogger<HelloFunction> logger = new();
    private HelloFunction CreateFunction() => new(new GreetingService(time), TestMetrics.Create(), logger);

    private static HttpRequest Request(string query = "", Stream? body = null, string? contentType = null) =>
        TestHttpRequest.Create(body is null ? "GET" : "POST", "http://localhost:7071/api/hello" + query, body, contentType);

    private async Task<TestHttpResponse> Send(HttpRequest request) =>
        await TestHttpResponse.ExecuteAsync(await CreateFunction().Run(request, CancellationToken.None), request);

    private static HttpRequest JsonPost(string json, string? contentType = "application/json", string query = "") =>
        Request(query, new MemoryStream(Encoding.UTF8.GetBytes(json)), contentType);

    private static void AssertJsonContentType(TestHttpResponse response)
    {
        Assert.NotNull(response.ContentType);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertError(TestHttpResponse response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        AssertJsonContentType(response);
        var json = TestHttpResponse.ReadJson(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("message").GetString()));
        Assert.Equal(2, json.EnumerateObject().Count());
    }

    [Fact]
    public async Task Run_GetWithQueryName_Returns200GreetingAsJson()
    {
        var response = await Send(Request("?name=Ada"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertJsonContentType(response);
        var json = TestHttpResponse.ReadJson(response);
        Assert.Equal("Hello Ada! Welcome to serverless.", json.GetProperty("message").GetString());
        Assert.Equal(2, json.EnumerateObject().Count());
    }

    [Fact]
    public async Task Run_Greeting_TimestampIsIso8601UtcFromClock()
    {
        var response = await Send(Request("?name=Ada"));

        var text = TestHttpResponse.ReadJson(response).GetProperty("timestamp").GetString()!;
        var timestamp = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, timestamp.Offset);
        Assert.Equal(Now, timestamp);
    }

    [Fact]
    public async Task Run_GetWithEncodedQueryName_DecodesIt()
    {
        var response = await Send(Request("?name=Ada%20Lovelace"));

        Assert.Equal("Hello Ada Lovelace! Welcome to serverless.", TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Run_GetWithoutName_ReturnsAnonymousGreeting()
    {
        var response = await Send(Request());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GreetingService.AnonymousMessage, TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Run_PostJsonName_WinsOverQuery()
    {
        var response = await Send(JsonPost("""{"name":"Grace"}""", query: "?name=Ada"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello Grace! Welcome to serverless.", TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Run_PostWithCharsetContentType_Returns200()
    {
        var response = await Send(JsonPost("""{"name":"Grace"}""", "application/json; charset=utf-8"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Run_PostInvalidJson_Returns400InvalidJson()
    {
        var response = await Send(JsonPost("{\"name\":"));

        AssertError(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task Run_PostInvalidUtf8InsideName_Returns400NotServerError()
    {
        byte[] body = [.. "{\"name\":\"A"u8, 0xC3, 0x28, .. "\"}"u8];

        var response = await Send(Request(body: new MemoryStream(body), contentType: "application/json"));

        AssertError(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task Run_NameTooLong_Returns400InvalidName()
    {
        var response = await Send(Request("?name=" + new string('a', 101)));

        AssertError(response, HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public async Task Run_PostPlainText_Returns415()
    {
        var response = await Send(JsonPost("Ada", "text/plain"));

        AssertError(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Run_PostOneMebibyte_Returns413WithoutReadingItAll()
    {
        var body = new MemoryStream(new byte[1024 * 1024]);

        var response = await Send(Request(body: body, contentType: "application/json"));

        AssertError(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.True(body.Position <= GreetingService.MaxBodyBytes + 1, $"The function read {body.Position} bytes of the body.");
    }

    [Theory]
    [InlineData(GreetingService.MaxBodyBytes + 1L)]
    [InlineData(30_000_001L)]
    [InlineData(100L * 1024 * 1024)]
    public async Task Run_ContentLengthOverLimit_Returns413WithoutReading(long contentLength)
    {
        // Past 30,000,000 bytes the worker's Kestrel refused the first read with an exception.
        var request = Request(body: new UnreadableStream(), contentType: "application/json");
        request.ContentLength = contentLength;

        var response = await Send(request);

        AssertError(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Theory]
    [InlineData("?NAME=Ada")]
    [InlineData("?Name=Ada")]
    [InlineData("?N%41ME=Ada")]
    [InlineData("?other=1&nAmE=Ada")]
    public async Task Run_QueryNameInAnyCase_GreetsByName(string query)
    {
        // As ASP.NET Core's request.Query reads it, and as the built-in HTTP model did.
        var response = await Send(Request(query));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello Ada! Welcome to serverless.", TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("?name")]
    [InlineData("?NAME")]
    [InlineData("?name&other=1")]
    public async Task Run_BareQueryName_ReturnsAnonymousGreeting(string query)
    {
        var response = await Send(Request(query));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GreetingService.AnonymousMessage, TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("?name=")]
    [InlineData("?NAME=A%C3%28")]
    [InlineData("?Name=%E2%80%AEAda")]
    public async Task Run_EmptyOrInvalidQueryNameInAnyCase_Returns400InvalidName(string query)
    {
        var response = await Send(Request(query));

        AssertError(response, HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public async Task Run_BodyArrivingInSmallChunks_IsReadWhole()
    {
        var json = """{"name":"Grace"}""" + new string(' ', 5000);
        var body = new ChunkedStream(Encoding.UTF8.GetBytes(json), chunkSize: 7);

        var response = await Send(Request(body: body, contentType: "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello Grace! Welcome to serverless.", TestHttpResponse.ReadJson(response).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Run_Rejected_Logs4000WithoutTheName()
    {
        await Send(Request("?name=Ada%07Lovelace"));

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(4000, record.Id.Id);
        Assert.Equal("400", record.GetStructuredStateValue("StatusCode"));
        Assert.DoesNotContain("Lovelace", record.Message, StringComparison.Ordinal);
    }

    /// <summary>A body that fails every read, as Kestrel's does past its limit.</summary>
    private sealed class UnreadableStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("The function read the body.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The function read the body.");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The function read the body.");
    }
}
