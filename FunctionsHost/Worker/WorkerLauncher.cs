using System.Diagnostics;
using System.Net;
using FunctionsHost.Http;
using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Worker;

/// <summary>
/// Starts one worker the way the Functions host does: its own gRPC server on a loopback port, the
/// process launched with that address, then the start-up conversation (StartStream, init,
/// metadata, a load per function). The host calls it for the first worker and for each replacement.
/// </summary>
internal sealed class WorkerLauncher(AppOutput app, WorkerHostOptions options, WorkerLogs logs)
{
    // Told to the worker at init; the major version is the Functions runtime's (v4).
    private const string HostVersion = "4.0.0-functionshost";

    // A worker that advertises it at init is sent InvocationCancel when an invocation times out.
    private const string CancelCapability = "HandlesInvocationCancelMessage";

    /// <summary>
    /// Launches a worker with its own gRPC server and channel and holds the start-up conversation;
    /// on failure leaves nothing running and throws <see cref="WorkerUnavailableException"/>.
    /// <paramref name="onExited"/> is told when the process exits, from launch on: an exit during
    /// the conversation fails it at once instead of at the start timeout.
    /// </summary>
    public async Task<WorkerGeneration> StartAsync(Action<WorkerProcess, WebApplication, WorkerRpcChannel, int> onExited)
    {
        var workerId = Guid.NewGuid().ToString();
        var workerChannel = new WorkerRpcChannel(workerId, logs);
        var server = await StartRpcServerAsync(workerChannel, logs);
        WorkerProcess? process = null;
        var clock = Stopwatch.StartNew();
        try
        {
            process = WorkerProcess.Start(app, BoundPort(server), workerId, Guid.NewGuid().ToString(), options.AppSettings, logs);
            var launched = process;
            _ = process.Exited.ContinueWith(
                exited => onExited(launched, server, workerChannel, exited.Result),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);

            await workerChannel.Started.WaitAsync(options.StartTimeout);
            var startStream = clock.Elapsed;

            var init = await workerChannel.RequestAsync(new StreamingMessage
            {
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = HostVersion,
                    WorkerDirectory = app.Directory,
                    FunctionAppDirectory = app.Directory,
                },
            }, Remaining(clock));
            EnsureSuccess(init.WorkerInitResponse?.Result, "WorkerInitRequest");
            workerChannel.HttpUri = HttpProxy.WorkerHttpUri(init.WorkerInitResponse!.Capabilities);
            workerChannel.HandlesInvocationCancel =
                init.WorkerInitResponse.Capabilities.TryGetValue(CancelCapability, out var cancel)
                && string.Equals(cancel, bool.TrueString, StringComparison.OrdinalIgnoreCase);
            var initialized = clock.Elapsed;

            // Always asked: worker indexing is switched on by worker.config.json, not a capability.
            var metadata = await workerChannel.RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = app.Directory },
            }, Remaining(clock));
            var indexed = metadata.FunctionMetadataResponse
                ?? throw new InvalidOperationException($"The worker answered FunctionsMetadataRequest with {metadata.ContentCase}.");
            EnsureSuccess(indexed.Result, "FunctionsMetadataRequest");

            var functions = indexed.FunctionMetadataResults.Select(WorkerFunction.FromMetadata).ToArray();
            var loads = functions.Select(f => workerChannel.RequestAsync(
                new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.FunctionId, Metadata = f.Metadata } },
                Remaining(clock)));
            foreach (var (function, load) in functions.Zip(await Task.WhenAll(loads)))
            {
                EnsureSuccess(load.FunctionLoadResponse?.Result, $"FunctionLoadRequest for {function.Name}");
            }

            if (workerChannel.HttpUri is { } httpUri)
            {
                // The worker answers init while its Kestrel may still be starting; requests are
                // forwarded only once it accepts connections.
                await HttpProxy.WaitUntilListeningAsync(httpUri, Remaining(clock));
            }

            var times = new WorkerStartupTimes(startStream, initialized, clock.Elapsed);
            HostLog.WorkerReady(logs.Host, process.Id, times);
            return new WorkerGeneration(server, workerChannel, process, functions, times);
        }
        catch (Exception ex)
        {
            workerChannel.Fail(new WorkerUnavailableException("The worker did not start."));
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            await server.StopAsync();
            await server.DisposeAsync();
            if (ex is not (TimeoutException or WorkerUnavailableException or InvalidOperationException))
            {
                throw;
            }

            // An exit already carries the stderr tail; a timeout or a refused step does not.
            var stderr = ex.Message.Contains("stderr", StringComparison.Ordinal)
                ? ""
                : $"{Environment.NewLine}Worker stderr (tail):{Environment.NewLine}{logs.Tail(WorkerLogSource.Stderr)}";
            throw new WorkerUnavailableException(
                $"The worker did not start (start timeout {options.StartTimeout.TotalSeconds} s): {ex.Message}{stderr}{Environment.NewLine}" +
                $"Worker stdout (tail):{Environment.NewLine}{logs.Tail(WorkerLogSource.Stdout, 10)}",
                ex);
        }
    }

    private static async Task<WebApplication> StartRpcServerAsync(WorkerRpcChannel channel, WorkerLogs logs)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // HTTP/2 only, cleartext, loopback: the worker's gRPC client fails on an HTTP/1.1-capable endpoint.
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.AddProvider(new WorkerLogsLoggerProvider(logs, LogLevel.Warning));
        builder.Services.AddRouting();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = int.MaxValue;
            grpc.MaxSendMessageSize = int.MaxValue;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcEndpoint>();
        await app.StartAsync();
        return app;
    }

    private static int BoundPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address).Port;
    }

    private TimeSpan Remaining(Stopwatch clock)
    {
        var left = options.StartTimeout - clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException(
                $"The worker failed {step}: {result?.Exception?.Message ?? "(no result)"}{Environment.NewLine}{result?.Exception?.StackTrace}");
        }
    }
}

/// <summary>A started worker: its gRPC server, channel, process, functions and start-up times.</summary>
internal sealed record WorkerGeneration(
    WebApplication RpcServer, WorkerRpcChannel Channel, WorkerProcess Worker, IReadOnlyList<WorkerFunction> Functions, WorkerStartupTimes StartupTimes);
