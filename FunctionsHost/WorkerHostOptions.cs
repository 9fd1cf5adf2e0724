using FunctionsHost.Logging;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost;

/// <summary>What a <see cref="WorkerHost"/> runs, and how.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>The app settings, given to the worker as environment variables and to the queue listener as configuration.</summary>
    public required IReadOnlyDictionary<string, string> AppSettings { get; init; }

    /// <summary>The app's build output: the folder with <c>worker.config.json</c>, <c>host.json</c> and the entry assembly.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>The HTTP front's port on localhost; 0 (the default) takes a free loopback port.</summary>
    public int HttpPort { get; init; }

    /// <summary>Called with every log line as it arrives (the console of a local run, a test's output).</summary>
    public Action<WorkerLogEntry>? LogSink { get; init; }

    /// <summary>How many log lines the host keeps for <see cref="WorkerHost.Logs"/>; a long local run keeps the latest only.</summary>
    public int LogCapacity { get; init; } = int.MaxValue;

    /// <summary>How long the worker may take from launch to all functions loaded.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a function timeout, how long the worker has to end the cancelled invocation before the
    /// host restarts it (the WebJobs <c>TimeoutAttribute</c>'s default grace period, 2 s, which the
    /// Functions host uses). The timeout itself is host.json's <c>functionTimeout</c>.
    /// </summary>
    public TimeSpan TimeoutGracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long shutdown waits for in-flight invocations before terminating the worker.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the worker has to exit after WorkerTerminate before its process tree is killed.</summary>
    public TimeSpan TerminateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Serve HTTP-triggered functions (default true).</summary>
    public bool EnableHttp { get; init; } = true;

    /// <summary>Listen to the queues of queue-triggered functions (default true).</summary>
    public bool EnableQueues { get; init; } = true;

    /// <summary>
    /// Start a new worker when the running one exits on its own (a crash), as the Functions host does
    /// (default true). Invocations in flight in the old worker fail; new ones wait for the new worker.
    /// </summary>
    public bool RestartWorkerOnExit { get; init; } = true;

    /// <summary>Applied after host.json's <c>extensions:queues</c>, for settings a test must shorten.</summary>
    public Action<QueuesOptions>? OverrideQueueOptions { get; init; }

    /// <summary>
    /// Called when the worker answers an invocation, on the thread that received the answer (keep it
    /// short): lets a measurement see each ending at once instead of polling the history.
    /// </summary>
    public Action<InvocationRequest, InvocationResponse>? InvocationEnded { get; init; }
}
