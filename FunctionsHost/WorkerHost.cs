using System.Diagnostics;
using FunctionsHost.Http;
using FunctionsHost.Logging;
using FunctionsHost.Queues;
using FunctionsHost.Rpc;
using FunctionsHost.Worker;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost;

/// <summary>
/// Runs a compiled isolated-worker Functions app out of process the way the Functions host does: a
/// gRPC server the worker connects to, the start-up conversation, an HTTP front for HTTP triggers
/// and the WebJobs queue listener for queue triggers. Disposing it drains and stops everything it started.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly WorkerHostOptions options;
    private readonly AppOutput app;
    private readonly FunctionRegistry registry = new();
    private readonly WorkerSupervisor supervisor;
    private readonly CurrentWorkerInvoker invoker;
    private HttpTriggerFront? httpFront;
    private QueueTriggerListener? queueListener;

    private WorkerHost(WorkerHostOptions options, AppOutput app, TimeSpan functionTimeout, WorkerLogs logs)
    {
        this.options = options;
        this.app = app;
        FunctionTimeout = functionTimeout;
        Logs = logs;
        supervisor = new WorkerSupervisor(new WorkerLauncher(app, options, logs), registry, options, logs);
        invoker = new CurrentWorkerInvoker(supervisor, registry, logs, options.InvocationEnded);
    }

    public WorkerLogs Logs { get; }

    /// <summary>
    /// How long an invocation may run: host.json's <c>functionTimeout</c> (30 minutes when absent,
    /// <see cref="Timeout.InfiniteTimeSpan"/> for <c>-1</c>). It bounds queue and HTTP invocations alike.
    /// </summary>
    public TimeSpan FunctionTimeout { get; }

    /// <summary>The functions the worker reported, in its order.</summary>
    public IReadOnlyList<WorkerFunction> Functions => registry.Functions;

    public WorkerStartupTimes StartupTimes => supervisor.StartupTimes;

    /// <summary>The process id of the worker.</summary>
    public int WorkerProcessId => supervisor.Worker?.Id ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>Completes with the worker's exit code when it exits.</summary>
    public Task<int> WorkerExited => supervisor.Worker?.Exited ?? throw new InvalidOperationException("The worker has not been launched.");

    /// <summary>Every worker that started and served, in order: more than one after a restart.</summary>
    public IReadOnlyList<int> WorkerProcessIds => supervisor.WorkerProcessIds;

    /// <summary>The base address of the HTTP front; <c>api/&lt;route&gt;</c> below it reaches a function.</summary>
    public Uri HttpBaseAddress => httpFront?.BaseAddress ?? throw new InvalidOperationException("The app has no HTTP functions or HTTP is disabled.");

    /// <summary>Function name -> the queue its listener reads, after setting resolution.</summary>
    public IReadOnlyDictionary<string, string> ListenedQueues => queueListener?.ResolvedQueueNames ?? new Dictionary<string, string>();

    public int PendingInvocations => supervisor.Channel?.PendingInvocations ?? 0;

    /// <summary>
    /// Where the worker in service serves HTTP itself (its <c>HttpUri</c> capability, ASP.NET Core
    /// integration), or null for a worker on the built-in HTTP model.
    /// </summary>
    public Uri? HttpUri => invoker.HttpUri;

    /// <summary>The ended invocations of one function, in the order they ended, across every worker.</summary>
    public IReadOnlyList<InvocationRecord> InvocationsOf(string functionName)
    {
        _ = Function(functionName);
        return supervisor.Channels
            .SelectMany(c => c.History)
            .Where(r => registry.TryGetName(r.Request.FunctionId, out var name) && name == functionName)
            .ToArray();
    }

    public static async Task<WorkerHost> StartAsync(WorkerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = AppOutput.Load(options.AppDirectory);
        var host = new WorkerHost(options, app, FunctionTimeoutSetting.Read(app.HostJsonPath), new WorkerLogs(options.LogSink, options.LogCapacity));
        var functionTimeout = FunctionTimeoutSetting.Describe(host.FunctionTimeout);
        HostLog.FunctionTimeoutConfigured(host.Logs.Host, functionTimeout, FunctionTimeoutSetting.Key);
        try
        {
            await host.supervisor.StartAsync();
            await host.StartTriggersAsync();
            host.supervisor.PutInService();

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends an invocation of <paramref name="functionName"/> straight to the worker in service,
    /// bypassing the triggers, with the function timeout; the request's function id is filled in.
    /// </summary>
    public Task<InvocationResponse> InvokeAsync(string functionName, InvocationRequest request) =>
        invoker.InvokeAsync(functionName, request, FunctionTimeout);

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
        return InvokeAsync(functionName, QueueInvocationForwarder.ToInvocation(Function(functionName), message));
    }

    /// <summary>The function of the worker in service called <paramref name="name"/>; throws when it reported none.</summary>
    public WorkerFunction Function(string name) => registry.Function(name);

    /// <summary>Kills the worker process, as a crash would; unless switched off, the host starts a new one.</summary>
    public void KillWorker() => supervisor.Worker?.Kill();

    public async ValueTask DisposeAsync()
    {
        if (!supervisor.TryBeginStop(out var pendingRestart))
        {
            return;
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
            while (supervisor.Channel is { PendingInvocations: > 0, Failure: null } && drainDeadline.Elapsed < options.DrainTimeout)
            {
                await Task.Delay(20);
            }

            if (supervisor.Channel is { PendingInvocations: > 0 } undrained)
            {
                HostLog.DrainIncomplete(Logs.Host, undrained.PendingInvocations, options.DrainTimeout.TotalSeconds);
            }

            // 3. Ask the worker to exit, then make sure it has.
            await supervisor.StopWorkerAsync();
        }
        finally
        {
            if (httpFront is not null)
            {
                await httpFront.DisposeAsync();
            }

            // Invocations still waiting on the worker fail now, before the listener that started
            // them is disposed, so the listener finishes their messages while it can still log.
            await supervisor.ReleaseWorkerAsync();
            if (queueListener is not null)
            {
                await queueListener.DisposeAsync();
            }

            await supervisor.DisposeAsync();
        }
    }

    private async Task StartTriggersAsync()
    {
        // The triggers name functions and send through the invoker, which finds the worker in service
        // and its id for the function, so they reach a restarted worker too.
        foreach (var function in Functions.Where(f => !f.IsHttpTrigger && !f.IsQueueTrigger))
        {
            HostLog.TriggerNotRun(Logs.Host, function.Name, function.TriggerType);
        }

        var http = Functions.Where(f => f.IsHttpTrigger).ToArray();
        if (options.EnableHttp && http.Length > 0)
        {
            httpFront = await HttpTriggerFront.StartAsync(
                http, invoker, Logs, FunctionTimeout, options.HttpPort, AppOutput.HomepageEnabled(options.AppSettings));
        }

        var queues = Functions.Where(f => f.IsQueueTrigger).ToArray();
        if (options.EnableQueues && queues.Length > 0)
        {
            app.EnsureExtension(AppOutput.StorageQueuesExtension, queues);
            var forwarder = new QueueInvocationForwarder(queues, invoker, FunctionTimeout);
            queueListener = await QueueTriggerListener.StartAsync(
                queues, options.AppSettings, app.HostJsonPath, options.OverrideQueueOptions, forwarder, Logs);
        }
    }
}
