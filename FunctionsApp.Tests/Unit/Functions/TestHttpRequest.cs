using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Unit.Functions;

/// <summary>An HttpRequest as ASP.NET Core builds it in the worker, for calling HTTP functions directly.</summary>
public static class TestHttpRequest
{
    // What executing an IResult asks of the request's services.
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().BuildServiceProvider();

    public static HttpRequest Create(string method, string url, Stream? body = null, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var uri = new Uri(url);
        var context = new DefaultHttpContext { RequestServices = Services };
        var request = context.Request;
        request.Method = method;
        request.Scheme = uri.Scheme;
        request.Host = new HostString(uri.Authority);
        request.Path = uri.AbsolutePath;
        // The query as sent, escapes untouched, as Kestrel hands it over.
        var query = url.IndexOf('?', StringComparison.Ordinal);
        request.QueryString = query < 0 ? QueryString.Empty : new QueryString(url[query..]);
        request.Body = body ?? Stream.Null;
        request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        return request;
    }
}
