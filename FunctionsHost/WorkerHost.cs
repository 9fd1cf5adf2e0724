using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionsHost.Http;
using FunctionsHost.Logging;
using FunctionsHost.Queues;
using FunctionsHost.Rpc;
using FunctionsHost.Worker;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace FunctionsHost;

/// <summary>
/// Runs a compiled isolated-worker Functions app out of process the way the Functions host does: a
/// gRPC server the worker connects to, the start-up conversation, an HTTP front for HTTP triggers
/// and the WebJobs queue listener for queue triggers. Disposing it drains and stops everything it started.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable, IWorkerInvoker
{
    // As the Functions host, give up on a worker that keeps failing to start.
    private const int MaxRestartAttempts = 3;

    private readonly WorkerHostOptions options;
    private readonly AppOutput app;
    private readonly WorkerLauncher launcher;
    private readonly Lock gate = new();
    private readonly List<WorkerRpcChannel> retiredChannels = [];
    private readonly List<int> workerProcessIds = [];

    // Function id -> name for every worker launched: a new worker may index its functions under new ids.
    private readonly ConcurrentDictionary<string, string> functionNames = new(StringComparer.Ordinal);
    private WebApplication? rpcServer;
    private WorkerRpcChannel? channel;
    private WorkerProcess? worker;
    private TaskCompletionSource<WorkerRpcChannel> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task restart = Task.CompletedTask;
    private HttpTriggerFront? httpFront;
    private QueueTriggerListener? queueListener;
    private bool started;
    private bool disposed;

    private WorkerHost(WorkerHostOptions options, AppOutput app, TimeSpan functionTimeout, WorkerLogs logs)
    {
        this.options = options;
        this.app = app;
        FunctionTimeout = functionTimeout;
        Logs = logs;
        launcher = new WorkerLauncher(app, options, logs);
    }

    public WorkerLogs Logs { get; }

    /// <summary>
    /// How long an invocation may run: host.json's <c>functionTimeout</c> (30 minutes when absent,
    /// <see cref="Timeout.InfiniteTimeSpan"/> for <c>-1</c>). It bounds queue and HTTP invocations alike.
    /// </summary>
    public TimeSpan FunctionTimeout { get; }

    /// <summary>The functions the worker reported, in its order.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    public WorkerStartupTimes StartupTimes { get; private set; } = null!;

    /// <summary>The process id of the worker.</summary>
    public int WorkerProcessId => worker?.Id ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>Completes with the worker's exit code when it exits.</summary>
    public Task<int> WorkerExited => worker?.Exited ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>Every worker that started and served, in order: more than one after a restart.</summary>
    public IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (gate)
            {
                return workerProcessIds.ToArray();
            }
        }
    }

    /// <summary>The base address of the HTTP front; <c>api/&lt;route&gt;</c> below it reaches a function.</summary>
    public Uri HttpBaseAddress => httpFront?.BaseAddress ?? throw new InvalidOperationException("The app has no HTTP functions or HTTP is disabled.");

    /// <summary>Function name -> the queue its listener reads, after setting resolution.</summary>
    public IReadOnlyDictionary<string, string> ListenedQueues => queueListener?.ResolvedQueueNames ?? new Dictionary<string, string>();

    public int PendingInvocations => channel?.PendingInvocations ?? 0;

    /// <summary>
    /// Where the worker in service serves HTTP itself (its <c>HttpUri</c> capability, ASP.NET Core
    /// integration), or null for a worker on the built-in HTTP model.
    /// </summary>
    public Uri? HttpUri => channel?.HttpUri;

    /// <summary>The ended invocations of one function, in the order they ended, across every worker.</summary>
    public IReadOnlyList<InvocationRecord> InvocationsOf(string functionName)
    {
        _ = Function(functionName);
        WorkerRpcChannel[] channels;
        lock (gate)
        {
            channels = channel is null ? [.. retiredChannels] : [.. retiredChannels, channel];
        }

        // During a restart the retired channel is still the current one: count it once.
        return channels
            .Distinct()
            .SelectMany(c => c.History)
            .Where(r => functionNames.TryGetValue(r.Request.FunctionId, out var name) && name == functionName)
            .ToArray();
    }

    public static async Task<WorkerHost> StartAsync(WorkerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = AppOutput.Load(options.AppDirectory);
        var host = new WorkerHost(options, app, FunctionTimeoutSetting.Read(app.HostJsonPath), new WorkerLogs(options.LogSink, options.LogCapacity));
        host.Logs.AddHost(LogLevel.Information, $"Function timeout: {FunctionTimeoutSetting.Describe(host.FunctionTimeout)} (host.json {FunctionTimeoutSetting.Key}).");
        try
        {
            host.Publish(await host.launcher.StartAsync(host.OnWorkerExited));
            await host.StartTriggersAsync();
            lock (host.gate)
            {
                host.started = true;
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends an invocation straight to the worker, bypassing the triggers.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request) => InvokeAsync(request, FunctionTimeout);

    /// <summary>
    /// Sends an invocation to the worker that runs now; while a crashed worker is being replaced, waits
    /// for the new one (as the Functions host holds invocations during a restart).
    /// </summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        Task<WorkerRpcChannel> current;
        lock (gate)
        {
            current = ready.Task;
        }

        WorkerRpcChannel target;
        try
        {
            target = await current.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new WorkerUnavailableException($"No worker was ready within {timeout.TotalSeconds} s; a restart is under way.");
        }

        // Triggers built their requests with the ids of the first worker's functions.
        if (functionNames.TryGetValue(request.FunctionId, out var name)
            && Functions.FirstOrDefault(f => f.Name == name) is { } function)
        {
            request.FunctionId = function.FunctionId;
        }

        InvocationResponse response;
        try
        {
            response = await target.InvokeAsync(request, timeout);
        }
        catch (FunctionTimeoutException timedOut)
        {
            var functionName = functionNames.GetValueOrDefault(request.FunctionId, request.FunctionId);
            Logs.AddHost(LogLevel.Error,
                $"Timeout value of {FunctionTimeoutSetting.Describe(timeout)} exceeded by function '{functionName}' (Id: '{request.InvocationId}'). " +
                (target.HandlesInvocationCancel ? "Initiating cancellation." : "The worker does not handle InvocationCancel; it is not told."));
            _ = RestartIfStillRunningAsync(target, request.InvocationId, timedOut.LateResponse!);
            throw new FunctionTimeoutException(
                $"Timeout value of {FunctionTimeoutSetting.Describe(timeout)} was exceeded by function: {functionName}", request.InvocationId, timeout, timedOut.LateResponse!);
        }

        options.InvocationEnded?.Invoke(request, response);
        return response;
    }

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

    /// <summary>Kills the worker process, as a crash would; unless switched off, the host starts a new one.</summary>
    public void KillWorker() => worker?.Kill();

    public async ValueTask DisposeAsync()
    {
        Task pendingRestart;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            pendingRestart = restart;
        }

        try
        {
            // 0. A restart under way ends first (it never throws), so the worker it launches is stopped below.
            await pendingRestart;

            // 1. No new work: the HTTP front and the queue listener stop, letting what runs finish
            // (within the drain timeout: past it, they stop waiting).
            using var drain = new CancellationTokenSource(options.DrainTimeout);
            if (httpFront is not null)
            {
                await httpFront.StopAsync(drain.Token);
            }

            if (queueListener is not null)
            {
                await queueListener.StopAsync(drain.Token);
            }

            // 2. Wait for invocations still in the worker (the worker does not drain by itself).
            var drainDeadline = Stopwatch.StartNew();
            while (channel is { PendingInvocations: > 0, Failure: null } && drainDeadline.Elapsed < options.DrainTimeout)
            {
                await Task.Delay(20);
            }

            if (channel is { PendingInvocations: > 0 } undrained)
            {
                Logs.AddHost(LogLevel.Warning, $"{undrained.PendingInvocations} invocation(s) still pending after {options.DrainTimeout.TotalSeconds} s; terminating the worker anyway.");
            }

            // 3. Ask the worker to exit, then make sure it has.
            if (worker is not null)
            {
                if (channel is { Failure: null })
                {
                    try
                    {
                        channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(options.TerminateGrace) } });
                    }
                    catch (WorkerUnavailableException)
                    {
                        // Already gone.
                    }
                }

                await worker.StopAsync(options.TerminateGrace);
            }
        }
        finally
        {
            if (httpFront is not null)
            {
                await httpFront.DisposeAsync();
            }

            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            // Invocations still waiting on the worker fail now, before the listener that started
            // them is disposed, so the listener finishes their messages while it can still log.
            var shutDown = new WorkerUnavailableException("The host has shut down.");
            ready.TrySetException(shutDown);
            channel?.Fail(shutDown);
            if (queueListener is not null)
            {
                await queueListener.DisposeAsync();
            }
            if (rpcServer is not null)
            {
                await rpcServer.StopAsync();
                await rpcServer.DisposeAsync();
            }
        }
    }

    /// <summary>Makes a started worker the one invocations go to.</summary>
    private void Publish(WorkerGeneration generation)
    {
        foreach (var function in generation.Functions)
        {
            functionNames[function.FunctionId] = function.Name;
        }

        lock (gate)
        {
            rpcServer = generation.RpcServer;
            channel = generation.Channel;
            worker = generation.Worker;
            Functions = generation.Functions;
            StartupTimes = generation.StartupTimes;
            workerProcessIds.Add(generation.Worker.Id);
            ready.TrySetResult(generation.Channel);
        }
    }

    private async Task StartTriggersAsync()
    {
        // The triggers send through this host (IWorkerInvoker), so they reach a restarted worker too.
        foreach (var function in Functions.Where(f => !f.IsHttpTrigger && !f.IsQueueTrigger))
        {
            Logs.AddHost(LogLevel.Warning, $"Function {function.Name} has a {function.TriggerType} trigger, which this host does not run; it stays idle.");
        }

        var http = Functions.Where(f => f.IsHttpTrigger).ToArray();
        if (options.EnableHttp && http.Length > 0)
        {
            httpFront = await HttpTriggerFront.StartAsync(
                http, this, Logs, FunctionTimeout, options.HttpPort, AppOutput.HomepageEnabled(options.AppSettings));
        }

        var queues = Functions.Where(f => f.IsQueueTrigger).ToArray();
        if (options.EnableQueues && queues.Length > 0)
        {
            app.EnsureExtension(AppOutput.StorageQueuesExtension, queues);
            var forwarder = new QueueInvocationForwarder(queues, this, FunctionTimeout);
            queueListener = await QueueTriggerListener.StartAsync(
                queues, options.AppSettings, app.HostJsonPath, options.OverrideQueueOptions, forwarder, Logs);
        }
    }

    private void OnWorkerExited(WorkerProcess exited, WebApplication server, WorkerRpcChannel exitedChannel, int exitCode)
    {
        // Everything pending in this worker fails at once; the triggers rethrow it (a queue message
        // then comes back after the visibility timeout and is retried).
        exitedChannel.Fail(new WorkerUnavailableException(
            $"The worker process exited with code {exitCode}. Its stderr ends with:{Environment.NewLine}{Logs.Tail(WorkerLogSource.Stderr)}"));
        lock (gate)
        {
            // Only the worker in service is replaced: not one that failed to start, nor one asked to stop.
            if (!started || disposed || !options.RestartWorkerOnExit || !ReferenceEquals(exited, worker))
            {
                return;
            }

            ready = new TaskCompletionSource<WorkerRpcChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            restart = RestartAsync(exited, server, exitedChannel, exitCode);
        }
    }

    /// <summary>Replaces a worker that exited, as the Functions host does: same settings, the start-up conversation again.</summary>
    private async Task RestartAsync(WorkerProcess exited, WebApplication server, WorkerRpcChannel exitedChannel, int exitCode)
    {
        await Task.Yield();
        var exitedId = exited.Id;
        Logs.AddHost(LogLevel.Warning, $"Worker {exitedId} exited with code {exitCode}; starting a new worker.");
        lock (gate)
        {
            retiredChannels.Add(exitedChannel);
            rpcServer = null;
        }

        await exited.DisposeAsync();
        await server.StopAsync();
        await server.DisposeAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var generation = await launcher.StartAsync(OnWorkerExited);
                Publish(generation);
                Logs.AddHost(LogLevel.Warning, $"Worker {generation.Worker.Id} replaced worker {exitedId} (attempt {attempt}).");
                return;
            }
            catch (Exception ex) when (ex is WorkerUnavailableException && attempt < MaxRestartAttempts)
            {
                Logs.AddHost(LogLevel.Warning, $"Restart attempt {attempt} failed: {ex.Message}");
            }
            catch (Exception ex)
            {
                Logs.AddHost(LogLevel.Error, $"The worker could not be restarted: {ex.Message}");
                lock (gate)
                {
                    ready.TrySetException(new WorkerUnavailableException($"The worker exited and could not be restarted: {ex.Message}", ex));
                }

                return;
            }
        }
    }

    /// <summary>
    /// What the Functions host does after a function timeout: the worker has the grace period to end
    /// the cancelled invocation; if it is still running it then, the worker process is restarted
    /// (a new one takes over as after a crash), so the invocation cannot go on beside a retry of it.
    /// </summary>
    private async Task RestartIfStillRunningAsync(WorkerRpcChannel target, string invocationId, Task<InvocationResponse> lateResponse)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAny(lateResponse, Task.Delay(options.TimeoutGracePeriod));
        if (lateResponse.IsCompletedSuccessfully)
        {
            Logs.AddHost(LogLevel.Information,
                $"Invocation '{invocationId}' ended {clock.Elapsed.TotalSeconds:F1} s after its timeout ({lateResponse.Result.Result?.Status.ToString() ?? "no status"}); the worker goes on.");
            return;
        }

        if (lateResponse.IsCompleted)
        {
            return; // the worker went first; its exit is handled like any other
        }

        WorkerProcess? running;
        lock (gate)
        {
            running = !disposed && ReferenceEquals(channel, target) ? worker : null;
        }

        if (running is null)
        {
            return;
        }

        Logs.AddHost(LogLevel.Warning,
            $"A function timeout has occurred. Restarting worker process {running.Id} executing invocation '{invocationId}' (still running {options.TimeoutGracePeriod.TotalSeconds:F0} s after cancellation).");
        running.Kill();
    }
}
