using FunctionsApp.Tests.Infrastructure.FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Host;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>What a test host runs the worker with.</summary>
public sealed class FunctionsTestHostOptions
{
    /// <summary>The app settings, given to the worker as environment variables and to the queue listener as configuration.</summary>
    public required IReadOnlyDictionary<string, string> AppSettings { get; init; }

    /// <summary>The app's build output; by default the one matching the tests' configuration.</summary>
    public string? AppDirectory { get; init; }

    /// <summary>How long the worker may take from launch to all functions loaded.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one invocation may take before the test host gives up on it.</summary>
    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long shutdown waits for in-flight invocations before terminating the worker.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

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
