using System.Diagnostics;
using System.Net;
using FunctionsApp.Tests.Infrastructure.FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// Runs the compiled FunctionsApp out of process the way the Functions host does: a gRPC server the
/// worker connects to, the start-up conversation, an HTTP front for HTTP triggers and the WebJobs
/// queue listener for queue triggers. Disposing it drains and stops everything it started.
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    private readonly FunctionsTestHostOptions options;
    private readonly WebApplication rpcServer;
    private readonly WorkerRpcChannel channel;
    private WorkerProcess? worker;
    private HttpTriggerFront? httpFront;
    private QueueTriggerListener? queueListener;
    private bool disposed;

    private FunctionsTestHost(FunctionsTestHostOptions options, WebApplication rpcServer, WorkerRpcChannel channel, WorkerLogs logs)
    {
        this.options = options;
        this.rpcServer = rpcServer;
        this.channel = channel;
        Logs = logs;
    }

    public WorkerLogs Logs { get; }

    /// <summary>The functions the worker reported, in its order.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    public WorkerStartupTimes StartupTimes { get; private set; } = null!;

    /// <summary>The process id of the worker.</summary>
    public int WorkerProcessId => worker?.Id ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>Completes with the worker's exit code when it exits.</summary>
    public Task<int> WorkerExited => worker?.Exited ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>The base address of the HTTP front; <c>api/&lt;route&gt;</c> below it reaches a function.</summary>
    public Uri HttpBaseAddress => httpFront?.BaseAddress ?? throw new InvalidOperationException("The app has no HTTP functions or HTTP is disabled.");

    /// <summary>Function name -> the queue its listener reads, after setting resolution.</summary>
    public IReadOnlyDictionary<string, string> ListenedQueues => queueListener?.ResolvedQueueNames ?? new Dictionary<string, string>();

    public int PendingInvocations => channel.PendingInvocations;

    /// <summary>The ended invocations of one function, in the order they ended.</summary>
    public IReadOnlyList<InvocationRecord> InvocationsOf(string functionName)
    {
        var id = Function(functionName).FunctionId;
        return channel.History.Where(r => r.Request.FunctionId == id).ToArray();
    }

    public static async Task<FunctionsTestHost> StartAsync(FunctionsTestHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var appDirectory = options.AppDirectory ?? FunctionsAppOutput.Directory;
        var logs = new WorkerLogs();
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerRpcChannel(workerId, logs);
        var rpcServer = await StartRpcServerAsync(channel, logs);
        var host = new FunctionsTestHost(options, rpcServer, channel, logs);
        try
        {
            await host.LaunchAsync(appDirectory, workerId);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends an invocation straight to the worker, bypassing the triggers.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request) => channel.InvokeAsync(request, options.InvocationTimeout);

    /// <summary>
    /// Delivers one queue message to a queue-triggered function the way the queue listener's
    /// forwarder does, without a queue: for delivering the same message (same id) more than once,
    /// as at-least-once delivery may. Returns the worker's answer instead of throwing on a failure.
    /// </summary>
    public Task<InvocationResponse> DeliverQueueMessageAsync(string functionName, string messageId, string body, long dequeueCount)
    {
        var now = DateTimeOffset.UtcNow;
        var message = Azure.Storage.Queues.Models.QueuesModelFactory.QueueMessage(
            messageId, popReceipt: Guid.NewGuid().ToString(), BinaryData.FromString(body), dequeueCount,
            nextVisibleOn: now.AddMinutes(1), insertedOn: now, expiresOn: now.AddDays(7));
        return InvokeAsync(QueueInvocationForwarder.ToInvocation(Function(functionName), message));
    }

    public WorkerFunction Function(string name) =>
        Functions.SingleOrDefault(f => f.Name == name)
        ?? throw new InvalidOperationException($"The worker reported no function {name}; it reported: {string.Join(", ", Functions)}.");

    /// <summary>Kills the worker process, as a crash would.</summary>
    public void KillWorker() => worker?.Kill();

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            // 1. No new work: the HTTP front and the queue listener stop, letting what runs finish.
            if (httpFront is not null)
            {
                await httpFront.StopAsync();
            }

            if (queueListener is not null)
            {
                await queueListener.StopAsync();
            }

            // 2. Wait for invocations still in the worker (the worker does not drain by itself).
            var drainDeadline = Stopwatch.StartNew();
            while (channel.PendingInvocations > 0 && channel.Failure is null && drainDeadline.Elapsed < options.DrainTimeout)
            {
                await Task.Delay(20);
            }

            if (channel.PendingInvocations > 0)
            {
                Logs.AddHost(LogLevel.Warning, $"{channel.PendingInvocations} invocation(s) still pending after {options.DrainTimeout.TotalSeconds} s; terminating the worker anyway.");
            }

            // 3. Ask the worker to exit, then make sure it has.
            if (worker is not null)
            {
                if (channel.Failure is null)
                {
                    try
                    {
                        channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
                    }
                    catch (WorkerUnavailableException)
                    {
                        // Already gone.
                    }
                }

                await worker.StopAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            if (httpFront is not null)
            {
                await httpFront.DisposeAsync();
            }

            if (queueListener is not null)
            {
                await queueListener.DisposeAsync();
            }

            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            channel.Fail(new WorkerUnavailableException("The test host has shut down."));
            await rpcServer.StopAsync();
            await rpcServer.DisposeAsync();
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

    private async Task LaunchAsync(string appDirectory, string workerId)
    {
        var clock = Stopwatch.StartNew();
        worker = WorkerProcess.Start(appDirectory, BoundPort(rpcServer), workerId, Guid.NewGuid().ToString(), options.AppSettings, Logs);
        _ = worker.Exited.ContinueWith(
            exited => channel.Fail(new WorkerUnavailableException(
                $"The worker process exited with code {exited.Result}. Its stderr ends with:{Environment.NewLine}{Logs.Tail(WorkerLogSource.Stderr)}")),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);

        try
        {
            await channel.Started.WaitAsync(options.StartTimeout);
            var startStream = clock.Elapsed;

            var init = await channel.RequestAsync(new StreamingMessage
            {
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = "4.0.0-functionsapp-tests",
                    WorkerDirectory = appDirectory,
                    FunctionAppDirectory = appDirectory,
                },
            }, Remaining(clock));
            EnsureSuccess(init.WorkerInitResponse?.Result, "WorkerInitRequest");
            var initialized = clock.Elapsed;

            // Always asked: worker indexing is switched on by worker.config.json, not a capability.
            var metadata = await channel.RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
            }, Remaining(clock));
            var indexed = metadata.FunctionMetadataResponse
                ?? throw new InvalidOperationException($"The worker answered FunctionsMetadataRequest with {metadata.ContentCase}.");
            EnsureSuccess(indexed.Result, "FunctionsMetadataRequest");

            var functions = indexed.FunctionMetadataResults.Select(WorkerFunction.FromMetadata).ToArray();
            var loads = functions.Select(f => channel.RequestAsync(
                new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.FunctionId, Metadata = f.Metadata } },
                Remaining(clock)));
            foreach (var (function, load) in functions.Zip(await Task.WhenAll(loads)))
            {
                EnsureSuccess(load.FunctionLoadResponse?.Result, $"FunctionLoadRequest for {function.Name}");
            }

            StartupTimes = new WorkerStartupTimes(startStream, initialized, clock.Elapsed);
            Functions = functions;
            Logs.AddHost(LogLevel.Information, $"Worker {worker.Id} ready: {StartupTimes}.");
        }
        catch (Exception ex) when (ex is TimeoutException or WorkerUnavailableException or InvalidOperationException)
        {
            // An exit already carries the stderr tail; a timeout or a refused step does not.
            var stderr = ex.Message.Contains("stderr", StringComparison.Ordinal)
                ? ""
                : $"{Environment.NewLine}Worker stderr (tail):{Environment.NewLine}{Logs.Tail(WorkerLogSource.Stderr)}";
            throw new WorkerUnavailableException(
                $"The worker did not start (start timeout {options.StartTimeout.TotalSeconds} s): {ex.Message}{stderr}{Environment.NewLine}" +
                $"Worker stdout (tail):{Environment.NewLine}{Logs.Tail(WorkerLogSource.Stdout, 10)}",
                ex);
        }

        var http = Functions.Where(f => f.IsHttpTrigger).ToArray();
        if (options.EnableHttp && http.Length > 0)
        {
            httpFront = await HttpTriggerFront.StartAsync(http, channel, Logs, options.InvocationTimeout);
        }

        var queues = Functions.Where(f => f.IsQueueTrigger).ToArray();
        if (options.EnableQueues && queues.Length > 0)
        {
            var forwarder = new QueueInvocationForwarder(queues, channel, options.InvocationTimeout);
            queueListener = await QueueTriggerListener.StartAsync(
                queues, options.AppSettings, Path.Combine(appDirectory, "host.json"), options.OverrideQueueOptions, forwarder, Logs);
        }
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
