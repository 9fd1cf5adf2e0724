namespace FunctionsApp.Benchmarks.Queue;

/// <summary>A <see cref="QueueSide"/> at work; disposing it stops it after the messages in flight.</summary>
public interface IRunningQueueSide : IAsyncDisposable
{
    /// <summary>The worker process, for the side that has one; null for the others.</summary>
    int? WorkerProcessId { get; }

    /// <summary>What the worker logged (each line crossed gRPC to our host), for the side that has one.</summary>
    FunctionsHost.Logging.WorkerLogs? WorkerLogs => null;
}
