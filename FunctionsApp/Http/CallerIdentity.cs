using FunctionsApp.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.Http;

/// <summary>
/// Who made a request, in words fit for a log line. With App Service authentication on, Azure sets
/// <c>x-ms-client-principal-name</c> and <c>-id</c> on every request (and drops any a client sent);
/// without it they are whatever the client sent, so they are logged as the caller's claim, escaped.
/// </summary>
public static class CallerIdentity
{
    public const string PrincipalNameHeader = "x-ms-client-principal-name";
    public const string PrincipalIdHeader = "x-ms-client-principal-id";

    public static string Describe(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? name = request.Headers[PrincipalNameHeader];
        string? id = request.Headers[PrincipalIdHeader];
        return name is null && id is null
            ? "a function key holder (no client principal)"
            : $"client principal {CallerText.Quote(name)} (id {CallerText.Quote(id)})";
    }
}
