using System.Web;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Moq;

namespace FunctionsApp.Tests.Unit.Functions;

/// <summary>An HttpRequestData as the worker builds it, for calling HTTP functions directly.</summary>
public static class TestHttpRequest
{
    public static HttpRequestData Create(FunctionContext context, string method, string url, Stream? body = null, string? contentType = null)
    {
        var uri = new Uri(url);
        var headers = new HttpHeadersCollection();
        if (contentType is not null)
        {
            headers.Add("Content-Type", contentType);
        }

        var request = new Mock<HttpRequestData>(context);
        request.Setup(r => r.Url).Returns(uri);
        request.Setup(r => r.Query).Returns(HttpUtility.ParseQueryString(uri.Query));
        request.Setup(r => r.Headers).Returns(headers);
        request.Setup(r => r.Body).Returns(body ?? new MemoryStream());
        request.Setup(r => r.Method).Returns(method);
        request.Setup(r => r.CreateResponse()).Returns(() => new TestHttpResponseData(context));
        return request.Object;
    }
}
