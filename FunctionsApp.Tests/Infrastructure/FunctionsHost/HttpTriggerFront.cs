using System.Net;
using FunctionsApp.Tests.Infrastructure.FunctionsHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// The HTTP side of the Functions host: serves each HTTP-triggered function at
/// <c>/api/&lt;route&gt;</c> on a loopback HTTP/1.1 port and turns requests into invocations and
/// the worker's <c>RpcHttp</c> answers back into responses.
/// </summary>
public sealed class HttpTriggerFront : IAsyncDisposable
{
    private const string RoutePrefix = "/api";

    // Headers Kestrel computes itself; copying the worker's would contradict the real body.
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection",
    };

    private readonly WebApplication app;
    private readonly IReadOnlyList<(WorkerFunction Function, HttpRouteTemplate Route)> routes;
    private readonly IWorkerInvoker channel;
    private readonly TimeSpan invocationTimeout;

    private HttpTriggerFront(WebApplication app, IReadOnlyList<WorkerFunction> functions, IWorkerInvoker channel, TimeSpan invocationTimeout)
    {
        this.app = app;
        this.channel = channel;
        this.invocationTimeout = invocationTimeout;
        routes = functions.Select(f => (f, new HttpRouteTemplate(f.HttpRoute))).ToArray();
    }

    /// <summary>Where the functions are served, e.g. <c>http://127.0.0.1:41234/</c>; requests go to <c>api/hello</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<HttpTriggerFront> StartAsync(
        IReadOnlyList<WorkerFunction> functions, IWorkerInvoker channel, WorkerLogs logs, TimeSpan invocationTimeout)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Logging.AddProvider(new WorkerLogsLoggerProvider(logs, LogLevel.Warning));
        var app = builder.Build();
        var front = new HttpTriggerFront(app, functions, channel, invocationTimeout);
        app.Run(front.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        front.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return front;
    }

    /// <summary>Stops accepting requests and lets those in flight finish.</summary>
    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(RoutePrefix + "/", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var matches = routes
            .Select(r => (r.Function, Values: r.Route.Match(path[RoutePrefix.Length..])))
            .Where(r => r.Values is not null)
            .ToArray();
        if (matches.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var method = context.Request.Method.ToLowerInvariant();
        var match = matches.FirstOrDefault(m => m.Function.HttpMethods.Count == 0 || m.Function.HttpMethods.Contains(method));
        if (match.Function is null)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = string.Join(", ", matches.SelectMany(m => m.Function.HttpMethods).Distinct().Select(m => m.ToUpperInvariant()));
            return;
        }

        var request = await ToInvocationAsync(context, match.Function, match.Values!);
        InvocationResponse response;
        try
        {
            response = await channel.InvokeAsync(request, invocationTimeout);
        }
        catch (Exception ex) when (ex is WorkerUnavailableException or TimeoutException)
        {
            await WritePlainAsync(context, StatusCodes.Status503ServiceUnavailable, $"The worker is unavailable: {ex.Message}");
            return;
        }

        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            await WritePlainAsync(context, StatusCodes.Status500InternalServerError,
                $"Function {match.Function.Name} failed: {response.Result?.Exception?.Message}");
            return;
        }

        await WriteResponseAsync(context, response);
    }

    private static async Task<InvocationRequest> ToInvocationAsync(HttpContext context, WorkerFunction function, IReadOnlyDictionary<string, string> routeValues)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = context.Request;
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

        var invocation = Invocations.New(function);
        foreach (var (name, value) in routeValues)
        {
            http.NullableParams[name] = new NullableString { Value = value };
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerParameterName, Data = new TypedData { Http = http } });
        return invocation;
    }

    private static async Task WriteResponseAsync(HttpContext context, InvocationResponse response)
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

    private static async Task WritePlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
