namespace FunctionsHost.Logging;

/// <summary>Where a captured log line came from.</summary>
public enum WorkerLogSource
{
    /// <summary>An <c>RpcLog</c> on the worker's event stream (its ILogger output).</summary>
    Rpc,

    /// <summary>A line the worker process wrote to stdout.</summary>
    Stdout,

    /// <summary>A line the worker process wrote to stderr.</summary>
    Stderr,

    /// <summary>The host itself or the WebJobs queue listener it runs.</summary>
    Host,
}
