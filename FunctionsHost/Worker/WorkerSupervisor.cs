using System.Diagnostics;
using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Worker;

/// <summary>
/// Keeps one worker in service: which worker, channel and gRPC server serve now, replacing a worker
/// that crashed or outlived a function timeout, and the wait for a ready worker while one is being
/// replaced. All of that state lives behind one lock, here.
/// </summary>
internal sealed class WorkerSupervisor(WorkerLauncher launcher, FunctionRegistry registry, WorkerHostOptions options, WorkerLogs logs) : IAsyncDisposable
{
    // As the Functions host, give up on a worker that keeps failing to start.
    private const int MaxRestartAttempts = 3;

    private readonly Lock gate = new();
    private readonly List<WorkerRpcChannel> retiredChannels = [];
    private readonly List<int> workerProcessIds = [];
    private WebApplication? rpcServer;
    private WorkerRpcChannel? channel;
    private WorkerProcess? worker;
    private TaskCompletionSource<WorkerRpcChannel> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task restart = Task.CompletedTask;
    private bool inService;
    private bool stopping;

    public WorkerStartupTimes StartupTimes { get; private set; } = null!;

    public WorkerProcess? Worker => worker;

    public WorkerRpcChannel? Channel => channel;

    /// <summary>Every worker that started and served, in order.</summary>
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

    /// <summary>Every channel that served, retired ones first, each once.</summary>
    public IReadOnlyList<WorkerRpcChannel> Channels
    {
        get
        {
            lock (gate)
            {
                // During a restart the retired channel is still the current one: count it once.
                return (channel is null ? [.. retiredChannels] : (WorkerRpcChannel[])[.. retiredChannels, channel]).Distinct().ToArray();
            }
        }
    }

    /// <summary>Completes with the channel of the worker in service, now or once a replacement is ready.</summary>
    public Task<WorkerRpcChannel> ReadyChannel
    {
        get
        {
            lock (gate)
            {
                return ready.Task;
            }
        }
    }

    /// <summary>Launches the first worker; it is replaced on exit only after <see cref="PutInService"/>.</summary>
    public async Task StartAsync() => Publish(await launcher.StartAsync(OnWorkerExited));

    /// <summary>From now on a worker that exits is replaced (unless the options switch it off).</summary>
    public void PutInService()
    {
        lock (gate)
        {
            inService = true;
        }
    }

    /// <summary>
    /// Ends supervision: no more replacements. Returns false when already called, else the restart
    /// under way (it never throws), to await so that the worker it launches is the one stopped.
    /// </summary>
    public bool TryBeginStop(out Task pendingRestart)
    {
        lock (gate)
        {
            pendingRestart = restart;
            if (stopping)
            {
                return false;
            }

            stopping = true;
            return true;
        }
    }

    /// <summary>Asks the worker in service to exit, then makes sure it has.</summary>
    public async Task StopWorkerAsync()
    {
        if (worker is null)
        {
            return;
        }

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

    /// <summary>Disposes the worker process and fails every invocation still waiting on a worker.</summary>
    public async Task ReleaseWorkerAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync();
        }

        var shutDown = new WorkerUnavailableException("The host has shut down.");
        ready.TrySetException(shutDown);
        channel?.Fail(shutDown);
    }

    /// <summary>Stops the gRPC server of the worker in service.</summary>
    public async ValueTask DisposeAsync()
    {
        if (rpcServer is not null)
        {
            await rpcServer.StopAsync();
            await rpcServer.DisposeAsync();
        }
    }

    /// <summary>
    /// What the Functions host does after a function timeout: the worker has the grace period to end
    /// the cancelled invocation; if it is still running it then, the worker process is restarted
    /// (a new one takes over as after a crash), so the invocation cannot go on beside a retry of it.
    /// </summary>
    public async Task RestartIfStillRunningAsync(WorkerRpcChannel target, string invocationId, Task<InvocationResponse> lateResponse)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAny(lateResponse, Task.Delay(options.TimeoutGracePeriod));
        if (lateResponse.IsCompletedSuccessfully)
        {
            var status = lateResponse.Result.Result?.Status.ToString() ?? "no status";
            HostLog.LateInvocationEnded(logs.Host, invocationId, clock.Elapsed.TotalSeconds, status);
            return;
        }

        if (lateResponse.IsCompleted)
        {
            return; // the worker went first; its exit is handled like any other
        }

        WorkerProcess? running;
        lock (gate)
        {
            running = !stopping && ReferenceEquals(channel, target) ? worker : null;
        }

        if (running is null)
        {
            return;
        }

        HostLog.TimedOutWorkerRestarting(logs.Host, running.Id, invocationId, options.TimeoutGracePeriod.TotalSeconds);
        running.Kill();
    }

    /// <summary>Makes a started worker the one invocations go to, its function ids with it.</summary>
    private void Publish(WorkerGeneration generation)
    {
        lock (gate)
        {
            // Before the ready channel completes: an invocation waiting for it must find the new ids.
            registry.Publish(generation.Functions);
            rpcServer = generation.RpcServer;
            channel = generation.Channel;
            worker = generation.Worker;
            StartupTimes = generation.StartupTimes;
            workerProcessIds.Add(generation.Worker.Id);
            ready.TrySetResult(generation.Channel);
        }
    }

    private void OnWorkerExited(WorkerProcess exited, WebApplication server, WorkerRpcChannel exitedChannel, int exitCode)
    {
        // Everything pending in this worker fails at once; the triggers rethrow it (a queue message
        // then comes back after the visibility timeout and is retried).
        exitedChannel.Fail(new WorkerUnavailableException(
            $"The worker process exited with code {exitCode}. Its stderr ends with:{Environment.NewLine}{logs.Tail(WorkerLogSource.Stderr)}"));
        lock (gate)
        {
            // Only the worker in service is replaced: not one that failed to start, nor one asked to stop.
            if (!inService || stopping || !options.RestartWorkerOnExit || !ReferenceEquals(exited, worker))
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
        HostLog.WorkerExited(logs.Host, exitedId, exitCode);
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
                HostLog.WorkerReplaced(logs.Host, generation.Worker.Id, exitedId, attempt);
                return;
            }
            catch (Exception ex) when (ex is WorkerUnavailableException && attempt < MaxRestartAttempts)
            {
                HostLog.RestartAttemptFailed(logs.Host, ex, attempt, ex.Message);
            }
            catch (Exception ex)
            {
                HostLog.WorkerNotRestarted(logs.Host, ex, ex.Message);
                lock (gate)
                {
                    ready.TrySetException(new WorkerUnavailableException($"The worker exited and could not be restarted: {ex.Message}", ex));
                }

                return;
            }
        }
    }
}
