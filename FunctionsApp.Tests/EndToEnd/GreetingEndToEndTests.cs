using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsApp.Greeting;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>The greeting endpoint through the HTTP front, the gRPC protocol and the real worker.</summary>
public sealed class GreetingEndToEndTests : IClassFixture<HttpAppFixture>, IDisposable
{
    private readonly HttpAppFixture fixture;
    private readonly ITestOutputHelper output;
    private readonly int firstLog;

    public GreetingEndToEndTests(HttpAppFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
        firstLog = fixture.App.Host.Logs.Count;
    }

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Get_WithName_ReturnsGreetingJson()
    {
        var before = DateTimeOffset.UtcNow;
        using var response = await Client.GetAsync(new Uri("api/hello?name=Ada", UriKind.Relative));

        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Hello Ada! Welcome to serverless.", body.GetProperty("message").GetString());
        var timestamp = body.GetProperty("timestamp").GetDateTimeOffset();
        Assert.InRange(timestamp, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Post_JsonName_ReturnsGreeting()
    {
        using var content = Json("""{"name":"Grace"}""");
        using var response = await Client.PostAsync(new Uri("api/hello", UriKind.Relative), content);

        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Hello Grace! Welcome to serverless.", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Get_WithoutName_ReturnsAnonymousGreeting()
    {
        using var response = await Client.GetAsync(new Uri("api/hello", UriKind.Relative));

        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(GreetingService.AnonymousMessage, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Post_MalformedJson_Returns400AndLogsTheRejection()
    {
        using var content = Json("""{"name": "Ada" """);
        using var response = await Client.PostAsync(new Uri("api/hello", UriKind.Relative), content);

        var body = await ReadJsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_json", body.GetProperty("error").GetString());
        // The worker sends EventId.ToString() as event_id: the EventName when there is one.
        var log = await fixture.App.Host.Logs.WaitForAsync(
            e => e.EventId == "GreetingRejected" && e.Message.Contains("invalid_json", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "with EventId GreetingRejected (4000) for invalid_json");
        Assert.Equal("FunctionsApp.Functions.HelloFunction", log.Category);
    }

    [Fact]
    public async Task Post_BodyOver8KiB_Returns413()
    {
        var name = new string('a', GreetingService.MaxBodyBytes);
        using var content = Json($$"""{"name":"{{name}}"}""");
        using var response = await Client.PostAsync(new Uri("api/hello", UriKind.Relative), content);

        var body = await ReadJsonAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("body_too_large", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("NAME")]
    [InlineData("Name")]
    public async Task Get_QueryNameInAnyCase_GreetsByName(string parameter)
    {
        using var response = await Client.GetAsync(new Uri($"api/hello?{parameter}=Ada", UriKind.Relative));

        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Hello Ada! Welcome to serverless.", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Get_BareQueryName_ReturnsAnonymousGreeting()
    {
        using var response = await Client.GetAsync(new Uri("api/hello?name", UriKind.Relative));

        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(GreetingService.AnonymousMessage, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Get_Greeting_WritesNoLogLine()
    {
        using (var greeting = await Client.GetAsync(new Uri("api/hello?name=Ada", UriKind.Relative)))
        {
            await ReadJsonAsync(greeting, HttpStatusCode.OK);
        }

        // A rejected request logs event 4000; whatever the greeting logged arrived before it.
        using (var rejected = await Client.GetAsync(new Uri("api/hello?name=", UriKind.Relative)))
        {
            await ReadJsonAsync(rejected, HttpStatusCode.BadRequest);
        }

        await fixture.App.Host.Logs.WaitForAsync(e => e.EventId == "GreetingRejected", TimeSpan.FromSeconds(10), "with EventId GreetingRejected (4000)");
        var logged = fixture.App.Host.Logs.Snapshot(firstLog);
        var beforeRejection = logged.TakeWhile(e => e.EventId != "GreetingRejected").ToArray();
        Assert.True(beforeRejection.Length == 0,
            "Expected a greeting to write no log line, in the worker or the host; got:" + Environment.NewLine + string.Join(Environment.NewLine, beforeRejection));
    }

    [Theory]
    [InlineData(30_000_001)]
    [InlineData(40_000_000)]
    public async Task Post_ContentLengthPastWorkersKestrelDefault_Returns413AndLogsNoError(int length)
    {
        // Kestrel's default limit is 30,000,000 bytes: the function used to fail reading the body
        // (500 and a stack trace). It now answers from Content-Length and never reads it.
        using var content = new ByteArrayContent(new byte[length]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Client.PostAsync(new Uri("api/hello", UriKind.Relative), content);

        var body = await ReadJsonAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("body_too_large", body.GetProperty("error").GetString());
        await AssertNoTroubleLoggedAsync();
    }

    [Fact]
    public async Task Post_Chunked40MB_Returns413AndLogsNoError()
    {
        // No length to answer from: the function reads 8 KiB and answers, and the worker's Kestrel
        // discards the rest so that the host, which hands back the answer only once it has sent the
        // whole body, has sent it. At Kestrel's default limit it gave up at 30,000,000 bytes and the
        // host answered 500 (under the Functions host 4.1037 and ours alike).
        using var response = await PostChunkedAsync(new byte[40_000_000]);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"Expected 413; got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("body_too_large", json.RootElement.GetProperty("error").GetString());
        await AssertNoTroubleLoggedAsync();
    }

    [Fact]
    public async Task Get_NameWithControlCharacters_Returns400()
    {
        using var response = await Client.GetAsync(new Uri("api/hello?name=Ada%07Lovelace", UriKind.Relative));

        var body = await ReadJsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_name", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Post_JsonNameWithControlCharacters_Returns400()
    {
        using var content = Json("""{"name":"Ada\u0001"}""");
        using var response = await Client.PostAsync(new Uri("api/hello", UriKind.Relative), content);

        var body = await ReadJsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_name", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404()
    {
        using var response = await Client.GetAsync(new Uri("api/goodbye", UriKind.Relative));

        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"Expected 404 for /api/goodbye; got {(int)response.StatusCode}.");
    }

    [Fact]
    public async Task Put_Returns404WithEmptyBody()
    {
        // As the Functions host answers it (measured under host 4.1037): a method the function does
        // not declare matches no route.
        using var content = Json("""{"name":"Ada"}""");
        using var response = await Client.PutAsync(new Uri("api/hello", UriKind.Relative), content);

        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"Expected 404 for PUT /api/hello; got {(int)response.StatusCode}.");
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Post_ChunkedJsonBody_GreetsByName()
    {
        // Under ASP.NET Core integration the host forwards the request itself, so a chunked body
        // (no Content-Length, as PostAsJsonAsync sends) arrives whole; on the built-in model the
        // Functions host handed the function an empty one and the name was lost.
        using var response = await PostChunkedAsync("""{"name":"Ada"}"""u8.ToArray());
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200; got {(int)response.StatusCode}: {text}");
        Assert.Contains("Hello Ada!", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ChunkedBodyOver8KiB_Returns413()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"name":"{{new string('a', 9 * 1024)}}"}""");

        using var response = await PostChunkedAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"Expected 413; got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("body_too_large", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Post_ChunkedInvalidJson_Returns400()
    {
        using var response = await PostChunkedAsync("""{"name": "Ada" """u8.ToArray());
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400; got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("invalid_json", json.RootElement.GetProperty("error").GetString());
    }

    private async Task<HttpResponseMessage> PostChunkedAsync(byte[] body)
    {
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/hello", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return await Client.SendAsync(request);
    }

    [Fact]
    public async Task Get_Root_ServesTheLandingPage()
    {
        using var response = await Client.GetAsync(new Uri("/", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected the landing page at /; got {(int)response.StatusCode}.");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("AzureWebJobsDisableHomepage", text, StringComparison.Ordinal);
    }

    public void Dispose() => fixture.App.Host.Logs.WriteTo(output, firstLog);

    /// <summary>
    /// The request's rejection (event 4000) was logged, and nothing since the test began is a warning,
    /// an error or carries an exception, in the worker or the host.
    /// </summary>
    private async Task AssertNoTroubleLoggedAsync()
    {
        await fixture.App.Host.Logs.WaitForAsync(
            e => e.EventId == "GreetingRejected" && e.Message.Contains("body_too_large", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "with EventId GreetingRejected (4000) for body_too_large");
        var trouble = fixture.App.Host.Logs.Snapshot(firstLog)
            .Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning || !string.IsNullOrEmpty(e.Exception))
            .ToArray();
        Assert.True(trouble.Length == 0, "Expected no warning, error or stack trace; got:" + Environment.NewLine + string.Join(Environment.NewLine, trouble));
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} {expected}; got {(int)response.StatusCode} with body: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
