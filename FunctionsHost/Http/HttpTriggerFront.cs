using System.Net;
using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using FunctionsHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsHost.Http;

/// <summary>
/// The HTTP side of the Functions host: serves each HTTP-triggered function at
/// <c>/api/&lt;route&gt;</c> on a loopback HTTP/1.1 port and turns requests into invocations and
/// the worker's <c>RpcHttp</c> answers back into responses. Like the Functions host, it answers a
/// method the function does not accept with 404 and no body, drops chunked request bodies on this
/// built-in model, and serves a landing page at <c>/</c> unless it is switched off.
/// </summary>
public sealed class HttpTriggerFront : IAsyncDisposable
{
    private const string RoutePrefix = "/api";

    /// <summary>
    /// The Functions host's limit on a request body (100 MiB); past it the host itself answers 500
    /// with an empty body, on either HTTP model (measured under 4.1037), before the function runs.
    /// </summary>
    public const long MaxRequestBodyBytes = 100L * 1024 * 1024;

    private readonly WebApplication app;
    private readonly IReadOnlyList<(WorkerFunction Function, HttpRouteTemplate Route)> routes;
    private readonly IFunctionInvoker invoker;
    private readonly TimeSpan functionTimeout;
    private readonly bool homepage;
    private readonly WorkerLogs logs;
    private readonly HttpProxy proxy;

    private HttpTriggerFront(WebApplication app, IReadOnlyList<WorkerFunction> functions, IFunctionInvoker invoker, TimeSpan functionTimeout, bool homepage, WorkerLogs logs)
    {
        this.app = app;
        this.invoker = invoker;
        this.functionTimeout = functionTimeout;
        this.homepage = homepage;
        this.logs = logs;
        proxy = new HttpProxy(app.Services.GetRequiredService<IHttpForwarder>(), functionTimeout);
        routes = functions.Select(f => (f, new HttpRouteTemplate(f.HttpRoute))).ToArray();
    }

    /// <summary>Where the functions are served, e.g. <c>http://127.0.0.1:41234/</c>; requests go to <c>api/hello</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <param name="functions">The HTTP-triggered functions.</param>
    /// <param name="invoker">Where invocations go, by function name.</param>
    /// <param name="logs">Where Kestrel's warnings go.</param>
    /// <param name="functionTimeout">The function timeout: past it the invocation is cancelled and the request answered 504.</param>
    /// <param name="port">A port on localhost (IPv4 and IPv6 loopback), or 0 for a free loopback port.</param>
    /// <param name="homepage">Serve the landing page at <c>/</c>.</param>
    public static async Task<HttpTriggerFront> StartAsync(
        IReadOnlyList<WorkerFunction> functions, IFunctionInvoker invoker, WorkerLogs logs, TimeSpan functionTimeout, int port = 0, bool homepage = true)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;

            // Loopback only: a local run is for its developer, not the network.
            if (port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            }
            else
            {
                kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        builder.Logging.AddProvider(new WorkerLogsLoggerProvider(logs, LogLevel.Warning));
        // A failed start (a port in use) is thrown from StartAsync below and reported by the caller
        // in one line; the generic host's own "Hosting failed to start" would print its stack first.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var front = new HttpTriggerFront(app, functions, invoker, functionTimeout, homepage, logs);
        app.Run(front.HandleAsync);
        try
        {
            await app.StartAsync();
        }
        catch (IOException ex) when (port != 0)
        {
            await app.DisposeAsync();
            throw new PortInUseException(port, ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        front.BaseAddress = port == 0
            ? new Uri(address.TrimEnd('/') + "/")
            : new Uri($"http://localhost:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
        return front;
    }

    /// <summary>Stops accepting requests and lets those in flight finish, until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        proxy.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // Over the body limit: an empty 500, as the Functions host answers it.
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            // Refused before any function or worker sees it, as the Functions host does.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var path = context.Request.Path.Value ?? "";
        if (path == "/" && homepage && HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(Homepage, context.RequestAborted);
            return;
        }

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
            // The Functions host's routes carry their methods as constraints: another method matches
            // no route at all, so it is a 404 with an empty body, not a 405.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (invoker.HttpUri is { } workerUri)
        {
            await proxy.ForwardAsync(
                context, match.Function.Name, RpcHttpMessages.ToProxiedInvocation(match.Function, match.Values!), workerUri, invoker, logs);
            return;
        }

        var request = await RpcHttpMessages.ToInvocationAsync(context, match.Function, match.Values!);
        InvocationResponse response;
        try
        {
            response = await invoker.InvokeAsync(match.Function.Name, request, functionTimeout);
        }
        catch (WorkerUnavailableException ex)
        {
            await WritePlainAsync(context, StatusCodes.Status503ServiceUnavailable, $"The worker is unavailable: {ex.Message}");
            return;
        }
        catch (TimeoutException ex)
        {
            await WritePlainAsync(context, StatusCodes.Status504GatewayTimeout, $"The function did not answer in time: {ex.Message}");
            return;
        }

        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            await WritePlainAsync(context, StatusCodes.Status500InternalServerError,
                $"Function {match.Function.Name} failed: {response.Result?.Exception?.Message}");
            return;
        }

        await RpcHttpMessages.WriteResponseAsync(context, response);
    }

    private const string Homepage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Functions host</title></head>
        <body><h1>The Functions host is running</h1>
        <p>HTTP functions answer under <code>/api/</code>. Set the app setting
        <code>AzureWebJobsDisableHomepage</code> to <code>true</code> to turn this page off.</p></body></html>
        """;

    private static async Task WritePlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
