namespace FunctionsApp.Benchmarks;

/// <summary>
/// The worker's cost rows: CPU time per 1,000 invocations, peak memory, and what the Consumption
/// plan would charge for them.
/// </summary>
public static class WorkerCost
{
    private const double SecondsPerMonth = 730 * 3600;

    public static void Add(string scenario, string invocations, ConsumptionPrices prices, ProcessResources worker, double cpuSecondsPer1000, double secondsPerExecution, double measuredPerSecond, string conditions)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(worker);
        var peakMb = worker.PeakResidentBytes / (1024.0 * 1024);
        var (gbSeconds, per1000, month) = prices.Cost(peakMb, secondsPerExecution);
        BenchmarkReport.Add(new BenchmarkRow(scenario, $"worker CPU time per 1,000 {invocations}", "s", cpuSecondsPer1000, null, null, conditions + "; /proc/<pid>/stat utime+stime"));
        BenchmarkReport.Add(new BenchmarkRow(scenario, "worker peak memory (VmHWM)", "MB", peakMb, null, null, "/proc/<pid>/status, whole worker lifetime"));
        BenchmarkReport.Add(new BenchmarkRow(scenario, $"Consumption cost per 1,000 {invocations}", "USD", per1000, null, null,
            BenchmarkReport.Invariant($"{gbSeconds:F1} GB-s per 1,000 (memory in 128 MB steps, >= 100 ms each, {secondsPerExecution * 1000:F1} ms per execution), before the free grant; {prices}")));
        BenchmarkReport.Add(new BenchmarkRow(scenario, BenchmarkReport.Invariant($"Consumption cost of {prices.ExecutionsPerMonth:N0} {invocations} a month"), "USD", month, null, null,
            "after the free grant"));

        // The pricing calculator's comparison: pay per execution, or pay for a server that is always on.
        var breakEven = prices.BreakEvenExecutions(peakMb, secondsPerExecution);
        BenchmarkReport.Add(new BenchmarkRow(scenario, BenchmarkReport.Invariant($"{invocations} a month at which Consumption costs as much as a fixed server (${prices.FixedServerPerMonth:0.##} a month)"), invocations, breakEven, null, null,
            BenchmarkReport.Invariant($"fewer, and Consumption is cheaper; at this run's {measuredPerSecond:N0}/s, one such server kept busy all month would do {measuredPerSecond * SecondsPerMonth / 1e6:N0} million")));
    }
}
