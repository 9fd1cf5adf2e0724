namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// CPU time spent by each process on the queue path while one side works: Azurite (both node
/// processes), the benchmark's own process (the ideal loop, or our host's listener and gRPC
/// server) and the worker, if the side has one.
/// </summary>
public sealed record CpuSplit(TimeSpan Azurite, TimeSpan Benchmark, TimeSpan Worker)
{
    public TimeSpan Total => Azurite + Benchmark + Worker;

    public static CpuSplit Read(IReadOnlyList<int> azuritePids, int? workerPid) => new(
        TimeSpan.FromTicks(azuritePids.Sum(pid => ProcessResources.Read(pid).CpuTime.Ticks)),
        ProcessResources.Read(Environment.ProcessId).CpuTime,
        workerPid is { } pid ? ProcessResources.Read(pid).CpuTime : TimeSpan.Zero);

    public static CpuSplit operator -(CpuSplit after, CpuSplit before)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(before);
        return new(after.Azurite - before.Azurite, after.Benchmark - before.Benchmark, after.Worker - before.Worker);
    }

    public static CpuSplit operator +(CpuSplit left, CpuSplit right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new(left.Azurite + right.Azurite, left.Benchmark + right.Benchmark, left.Worker + right.Worker);
    }

    public static CpuSplit Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Milliseconds of CPU per message, process by process.</summary>
    public string PerMessage(int messages) => BenchmarkReport.Invariant(
        $"Azurite {Azurite.TotalMilliseconds / messages:F2}, benchmark process {Benchmark.TotalMilliseconds / messages:F2}, worker {Worker.TotalMilliseconds / messages:F2} ms");
}
