namespace FunctionsApp.Greeting;

/// <summary>What the greeting needs from an HTTP request, free of any HTTP framework.</summary>
/// <param name="Body">The body, read up to one byte past the limit.</param>
/// <param name="ContentType">The Content-Type header, if any.</param>
/// <param name="QueryName">The <c>name</c> query parameter, if any.</param>
/// <param name="DeclaredBodyLength">The Content-Length header, if any: over the limit, the body need not be read.</param>
public sealed record GreetingRequest(ReadOnlyMemory<byte> Body, string? ContentType, string? QueryName, long? DeclaredBodyLength = null);
