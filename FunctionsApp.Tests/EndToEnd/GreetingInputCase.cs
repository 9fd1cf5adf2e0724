using System.Net;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>One row of the greeting's bad-input table: a request and the answer it must get.</summary>
/// <param name="Name">The row's name, shown in test results.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Body">The request body as bytes (so invalid UTF-8 can be sent), or null for none.</param>
/// <param name="ContentType">The Content-Type header, or null to send none.</param>
/// <param name="Status">The expected status code.</param>
/// <param name="Error">The expected <c>error</c> code of the JSON error body; null when the host, not the app, answers.</param>
public sealed record GreetingInputCase(string Name, HttpMethod Method, byte[]? Body, string? ContentType, HttpStatusCode Status, string? Error)
{
    /// <summary>The query string, including its leading <c>?</c>; empty for none.</summary>
    public string Query { get; init; } = "";

    public override string ToString() => Name;
}
