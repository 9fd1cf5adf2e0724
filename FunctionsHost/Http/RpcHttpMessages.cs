using FunctionsHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Http;

/// <summary>
/// The built-in HTTP model's translation, kept apart from the routing in <see cref="HttpTriggerFront"/>:
/// an ASP.NET request becomes an invocation whose trigger input is an <c>RpcHttp</c>, and the
/// worker's <c>RpcHttp</c> answer becomes the response. A forwarded request (the ASP.NET Core
/// integration) needs only the invocation without the body.
/// </summary>
internal static class RpcHttpMessages
{
    // Headers Kestrel computes itself; copying the worker's would contradict the real body.
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection",
    };

    /// <summary>
    /// The invocation that goes with a forwarded request: the HTTP input is empty (the worker has
    /// the request itself); route values travel as trigger metadata, as on the built-in model.
    /// </summary>
    internal static InvocationRequest ToProxiedInvocation(WorkerFunction function, IReadOnlyDictionary<string, string> routeValues)
    {
        var invocation = Invocations.New();
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerParameterName, Data = new TypedData() });
        foreach (var (name, value) in routeValues)
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        return invocation;
    }

    internal static async Task<InvocationRequest> ToInvocationAsync(HttpContext context, WorkerFunction function, IReadOnlyDictionary<string, string> routeValues)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        if (request.ContentLength is not null)
        {
            await request.Body.CopyToAsync(body, context.RequestAborted);
        }

        // else: a chunked body (no Content-Length). The Functions host (4.1037, measured) hands the
        // built-in HTTP model an empty body then; doing the same shows users' outcome in our tests.
        var http = new RpcHttp
        {
            Method = request.Method,
            // The worker reads the query string from the URL.
            Url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
            // The worker advertises RawHttpBodyBytes: a string body would fail in it.
            Body = new TypedData { Bytes = ByteString.CopyFrom(body.GetBuffer(), 0, (int)body.Length) },
        };
        foreach (var header in request.Headers)
        {
            // UseNullableValueDictionaryForHttp: headers go in nullable_headers.
            http.NullableHeaders[header.Key] = new NullableString { Value = header.Value.ToString() };
        }

        foreach (var query in request.Query)
        {
            http.NullableQuery[query.Key] = new NullableString { Value = query.Value.ToString() };
        }

        var invocation = Invocations.New();
        foreach (var (name, value) in routeValues)
        {
            http.NullableParams[name] = new NullableString { Value = value };
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerParameterName, Data = new TypedData { Http = http } });
        return invocation;
    }

    internal static async Task WriteResponseAsync(HttpContext context, InvocationResponse response)
    {
        var http = response.ReturnValue?.Http
            ?? response.OutputData.FirstOrDefault(o => o.Data?.Http is not null)?.Data.Http;
        if (http is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        context.Response.StatusCode = int.TryParse(http.StatusCode, out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in http.Headers)
        {
            if (!HopByHopHeaders.Contains(name))
            {
                context.Response.Headers[name] = value;
            }
        }

        var body = http.Body switch
        {
            null => [],
            { DataCase: TypedData.DataOneofCase.Bytes } b => b.Bytes.ToByteArray(),
            { DataCase: TypedData.DataOneofCase.Stream } s => s.Stream.ToByteArray(),
            { DataCase: TypedData.DataOneofCase.String } s => System.Text.Encoding.UTF8.GetBytes(s.String),
            { DataCase: TypedData.DataOneofCase.Json } j => System.Text.Encoding.UTF8.GetBytes(j.Json),
            _ => [],
        };
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
