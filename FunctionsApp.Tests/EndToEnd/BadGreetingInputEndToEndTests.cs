using System.Net.Http.Headers;
using System.Text.Json;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Bad requests to the greeting through the HTTP front and the real worker: each gets its 4xx and,
/// from the app, a JSON error body naming what to fix; none gets a 500.
/// </summary>
public sealed class BadGreetingInputEndToEndTests : IClassFixture<HttpAppFixture>, IDisposable
{
    private readonly HttpAppFixture fixture;
    private readonly ITestOutputHelper output;
    private readonly int firstLog;

    public BadGreetingInputEndToEndTests(HttpAppFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
        firstLog = fixture.App.Host.Logs.Count;
    }

    public static TheoryData<string> Cases => BadGreetingInputCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_GetsItsStatusAndErrorBody_NeverA500(string caseName)
    {
        var row = BadGreetingInputCases.Get(caseName);
        var invocationsBefore = fixture.App.Host.InvocationsOf(HelloFunction.Name).Count;
        using var request = new HttpRequestMessage(row.Method, new Uri("api/hello" + row.Query, UriKind.Relative));
        if (row.Body is not null)
        {
            request.Content = new ByteArrayContent(row.Body);
            request.Content.Headers.ContentType = row.ContentType is null ? null : MediaTypeHeaderValue.Parse(row.ContentType);
        }

        using var response = await fixture.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"Expected no 5xx for row '{row.Name}'; got {(int)response.StatusCode} with body: {text}");
        Assert.True(response.StatusCode == row.Status,
            $"Expected {(int)row.Status} {row.Status} for row '{row.Name}'; got {(int)response.StatusCode} with body: {text}");
        var invocations = fixture.App.Host.InvocationsOf(HelloFunction.Name).Skip(invocationsBefore).ToArray();
        if (row.Error is null)
        {
            // The host answers a method the function does not declare, without invoking the worker
            // (HttpTriggerFront, like the Functions host's routing): 404 with no body.
            Assert.True(text.Length == 0, $"Expected no body from the host's 404; got: {text}");
            Assert.Empty(invocations);
            return;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(text);
        Assert.Equal(row.Error, body.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("message").GetString()), $"Expected a message saying what to fix; got: {text}");
        var invocation = Assert.Single(invocations);
        Assert.True(invocation.Succeeded, $"Expected the worker to answer the bad request itself; the invocation failed: {invocation.Response?.Result?.Exception?.Message}");
    }

    public void Dispose() => fixture.App.Host.Logs.WriteTo(output, firstLog);
}
