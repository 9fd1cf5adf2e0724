using System.Net;
using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using FunctionsHost.Worker;
using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsHost.Http;

/// <summary>
/// HTTP for workers on ASP.NET Core integration, as the Functions host does it: the worker runs
/// Kestrel itself and says where (the <c>HttpUri</c> capability at init); each request is forwarded
/// there whole and streamed both ways, tagged with <c>x-ms-invocation-id</c>, while an invocation
/// with that id and an empty HTTP input goes over gRPC. The worker pairs the two by the id.
/// </summary>
public sealed class HttpProxy(IHttpForwarder forwarder, TimeSpan functionTimeout) : IDisposable
{
    /// <summary>The capability a worker on ASP.NET Core integration advertises, with its HTTP address as the value.</summary>
    public const string Capability = "HttpUri";

    /// <summary>The header that carries the invocation id to the worker's HTTP pipeline.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private readonly ForwarderRequestConfig config = new() { ActivityTimeout = ActivityTimeoutFor(functionTimeout) };

    /// <summary>The forwarder's idle limit in use: never shorter than the function timeout.</summary>
    public TimeSpan ActivityTimeout => config.ActivityTimeout!.Value;

    /// <summary>
    /// YARP's idle limit for a forwarded request given the function timeout: a little longer, so the
    /// forwarder never cuts off a request whose function may still run (YARP's own default is 100 s,
    /// the Functions host's 240 s; either would end a long replay that host.json allows). The
    /// function timeout itself ends the request: the host then cancels the forward and answers 504.
    /// </summary>
    public static TimeSpan ActivityTimeoutFor(TimeSpan functionTimeout)
    {
        // YARP counts the limit in whole milliseconds as an int; past that, no limit.
        var margin = TimeSpan.FromSeconds(5);
        return functionTimeout == Timeout.InfiniteTimeSpan || functionTimeout.TotalMilliseconds + margin.TotalMilliseconds >= int.MaxValue
            ? Timeout.InfiniteTimeSpan
            : functionTimeout + margin;
    }

    /// <summary>The worker's HTTP address from its init capabilities, or null when it has none (the built-in model).</summary>
    public static Uri? WorkerHttpUri(MapField<string, string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return capabilities.TryGetValue(Capability, out var value) && Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>Waits until something accepts TCP connections at <paramref name="uri"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilListeningAsync(Uri uri, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(uri.Host, uri.Port, deadline.Token);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The worker's HTTP endpoint {uri} did not accept connections within {timeout.TotalSeconds:F0} s.");
            }

            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The worker's HTTP endpoint {uri} did not accept connections within {timeout.TotalSeconds:F0} s.");
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="invocation"/> of <paramref name="functionName"/> to the worker and forwards the request to <paramref name="workerUri"/>;
    /// writes 502 or 503 when the worker cannot be reached and 500 when the function failed before answering.
    /// </summary>
    public async Task ForwardAsync(HttpContext context, string functionName, InvocationRequest invocation, Uri workerUri, IFunctionInvoker invoker, WorkerLogs logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(logs);

        // Both start at once; the worker holds each until the other arrives. At the function timeout
        // the forward is cancelled too: the client gets its answer then, not when the worker gives up.
        using var timedOut = new CancellationTokenSource();
        var invoked = invoker.InvokeAsync(functionName, invocation, functionTimeout);
        _ = invoked.ContinueWith(
            ended =>
            {
                if (ended.Exception?.InnerException is FunctionTimeoutException)
                {
                    CancelQuietly(timedOut);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var error = await forwarder.SendAsync(
            context, workerUri.ToString(), client, config, new InvocationIdTransformer(invocation.InvocationId), timedOut.Token);

        InvocationResponse? response = null;
        Exception? unavailable = null;
        try
        {
            response = await invoked;
        }
        catch (Exception ex) when (ex is WorkerUnavailableException or TimeoutException)
        {
            unavailable = ex;
        }

        if (error != ForwarderError.None)
        {
            var cause = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (unavailable is not FunctionTimeoutException)
            {
                // (A timeout cancelled the forward on purpose; the host has logged the timeout.)
                var failure = cause ?? unavailable;
                var detail = failure?.Message ?? "no detail";
                HostLog.ForwardFailed(logs.Host, failure, invocation.InvocationId, workerUri, error.ToString(), detail);
            }

            if (!context.Response.HasStarted && unavailable is not FunctionTimeoutException
                && error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled)
            {
                // The body did not get through: over the host's own limit (the client side), or the
                // worker closed the connection before it had all of it (for example a function that
                // answered unread and a Kestrel that stopped discarding the rest at its limit). The
                // Functions host fails the invocation then and answers an empty 500 (measured under
                // 4.1037), even when the worker had answered; the response arrives only once the
                // whole body was sent, so it never reaches the client.
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
            else if (!context.Response.HasStarted && unavailable is WorkerUnavailableException)
            {
                // The worker went away: as on the built-in model, 503.
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
            else if (!context.Response.HasStarted && unavailable is FunctionTimeoutException)
            {
                // The function timeout cancelled the forward (YARP would call that 502): 504, as on the built-in model.
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            }

            // Otherwise the forwarder has answered 502 itself, or the response was cut off
            // mid-stream, which the client sees as a broken response.
            return;
        }

        if (response?.Result?.Status != StatusResult.Types.Status.Success && !context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    public void Dispose() => client.Dispose();

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The forward had already ended.
        }
    }

    /// <summary>Copies the request as the forwarder does by default and adds the invocation id.</summary>
    private sealed class InvocationIdTransformer(string invocationId) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Remove(InvocationIdHeader);
            proxyRequest.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        }
    }
}
