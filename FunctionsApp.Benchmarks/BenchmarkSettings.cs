using System.Globalization;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// How long and how big the benchmark runs: full by default, smaller with BENCHMARK_QUICK=1 so one
/// scenario finishes in under a minute. Every size is printed next to the figures it produced.
/// </summary>
public static class BenchmarkSettings
{
    public static bool Quick => Environment.GetEnvironmentVariable("BENCHMARK_QUICK") is "1" or "true";

    /// <summary>Cold starts measured per kind of process.</summary>
    public static int ColdStartRepetitions => Int("BENCHMARK_COLD_REPETITIONS", Quick ? 3 : 7);

    /// <summary>Also measure ReadyToRun publishes (two publishes of about a minute each): full runs only, unless set.</summary>
    public static bool ReadyToRun => Environment.GetEnvironmentVariable("BENCHMARK_READY_TO_RUN") switch
    {
        "1" or "true" => true,
        "0" or "false" => false,
        _ => !Quick,
    };

    /// <summary>Sequential warm greeting calls after each cold one.</summary>
    public static int WarmCalls => Quick ? 10 : 30;

    public static TimeSpan HttpWarmup => TimeSpan.FromSeconds(Quick ? 1 : 3);

    public static TimeSpan HttpDuration => TimeSpan.FromSeconds(Int("BENCHMARK_HTTP_SECONDS", Quick ? 3 : 10));

    public static IReadOnlyList<int> HttpClients => [1, 16];

    /// <summary>generate_report messages enqueued before each drain.</summary>
    public static int QueueBacklog => Int("BENCHMARK_QUEUE_BACKLOG", Quick ? 200 : 1000);

    /// <summary>
    /// generate_report messages enqueued ahead of the measured backlog, to warm each side up: a new
    /// worker JIT-compiles thousands of methods over its first messages, while the sides running in
    /// the benchmark's own process were compiled by its earlier drains.
    /// </summary>
    public static int QueueWarmup => Int("BENCHMARK_QUEUE_WARMUP", Quick ? 100 : 1500);

    /// <summary>Drains per side; rounds alternate which side goes first.</summary>
    public static int QueueRounds => Int("BENCHMARK_QUEUE_ROUNDS", Quick ? 1 : 2);

    /// <summary>Steady state: messages outstanding at most; unset, twice what the listener keeps in flight.</summary>
    public static int? SteadyDepth => Int("BENCHMARK_QUEUE_STEADY_DEPTH", 0) is > 0 and var depth ? depth : null;

    /// <summary>Steady state: produced and worked on before the window opens (the worker's JIT settles meanwhile).</summary>
    public static TimeSpan SteadyWarmup => TimeSpan.FromSeconds(Quick ? 2 : 10);

    /// <summary>Steady state: the measured window per side and round.</summary>
    public static TimeSpan SteadyWindow => TimeSpan.FromSeconds(Int("BENCHMARK_QUEUE_STEADY_SECONDS", Quick ? 4 : 10));

    /// <summary>Latency grid: the fixed delay per storage request, and the tailed one's median (docs/performance.md says why 5 ms).</summary>
    public static int LatencyMedianMs => Int("BENCHMARK_LATENCY_MEDIAN_MS", 5);

    /// <summary>Latency grid: the tailed delay's 99th percentile.</summary>
    public static int LatencyP99Ms => Int("BENCHMARK_LATENCY_P99_MS", 30);

    /// <summary>Latency grid: the batch sizes tried (newBatchThreshold b/2, b and 2b each); quick runs try 16 only.</summary>
    public static IReadOnlyList<int> LatencyBatchSizes => Environment.GetEnvironmentVariable("BENCHMARK_LATENCY_BATCH_SIZES") is { Length: > 0 } sizes
        ? [.. sizes.Split(',').Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture))]
        : Quick ? [16] : [8, 16, 32];

    /// <summary>Latency grid: messages each side works through to warm up at each point, before the measured backlog.</summary>
    public static int LatencyWarmup => Int("BENCHMARK_LATENCY_WARMUP", Quick ? 100 : 300);

    /// <summary>Latency grid: the backlog drained (and measured) at each point.</summary>
    public static int LatencyBacklog => Int("BENCHMARK_LATENCY_BACKLOG", Quick ? 200 : 800);

    /// <summary>Latency grid: the steady state's measured window at each point, after a third as long again to settle.</summary>
    public static TimeSpan LatencySteadyWindow => TimeSpan.FromSeconds(Int("BENCHMARK_LATENCY_STEADY_SECONDS", Quick ? 3 : 6));

    /// <summary>Latency grid: messages outstanding at most in the steady state, the same at every point.</summary>
    public static int LatencySteadyDepth => Int("BENCHMARK_LATENCY_STEADY_DEPTH", 32);

    /// <summary>Latency grid: messages the ideal loop drains through the stage for each check that the stage is not the limit.</summary>
    public static int LatencyCheckMessages => Int("BENCHMARK_LATENCY_CHECK_MESSAGES", Quick ? 100 : 300);

    private static int Int(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
