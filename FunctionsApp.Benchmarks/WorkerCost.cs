namespace FunctionsApp.Benchmarks;

/// <summary>
/// The worker's cost rows for the app next to the template: CPU time per invocation, peak memory,
/// and what Flex Consumption would charge at the measured throughput per instance.
/// </summary>
public static class WorkerCost
{
    /// <summary>One side's measured figures: invocations a second, worker CPU per invocation, worker peak memory.</summary>
    public sealed record Figures(double PerSecond, double CpuMsPerInvocation, double PeakMb)
    {
        public static Figures Of(double perSecond, double cpuMsPerInvocation, ProcessResources worker)
        {
            ArgumentNullException.ThrowIfNull(worker);
            return new(perSecond, cpuMsPerInvocation, worker.PeakResidentBytes / (1024.0 * 1024));
        }
    }

    /// <summary>Adds the rows; <paramref name="invocation"/> is singular ("message", "greeting").</summary>
    public static void Add(string scenario, string invocation, FlexConsumptionPrices prices, Figures app, Figures template, string conditions)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(template);
        var plural = invocation + "s";
        BenchmarkReport.Add(new BenchmarkRow(scenario, $"worker CPU time per {invocation}", "ms", app.CpuMsPerInvocation, null, null,
            conditions + "; /proc/<pid>/stat utime+stime", template.CpuMsPerInvocation));
        BenchmarkReport.Add(new BenchmarkRow(scenario, "worker peak memory (VmHWM)", "MB", app.PeakMb, null, null,
            BenchmarkReport.Invariant($"/proc/<pid>/status, whole worker lifetime; a Flex instance of {prices.InstanceMemoryMb:0} MB holds the host too"), template.PeakMb));
        BenchmarkReport.Add(new BenchmarkRow(scenario, $"Flex Consumption on demand, cost per million {plural}", "USD", prices.CostPerMillion(app.PerSecond), null, null,
            BenchmarkReport.Invariant(
                $"before the free grant, at this run's {app.PerSecond:N0} (template {template.PerSecond:N0}) {plural}/s per instance: {prices.GbSecondsPerMillion(app.PerSecond):N0} (template {prices.GbSecondsPerMillion(template.PerSecond):N0}) GB-s per million; always ready instead: ${prices.AlwaysReadyCostPerMillion(app.PerSecond):F2} (template ${prices.AlwaysReadyCostPerMillion(template.PerSecond):F2}) per million plus the baseline; {prices}"),
            prices.CostPerMillion(template.PerSecond)));

        // The pricing calculator's comparison: pay per execution, or pay for a server that is always on.
        BenchmarkReport.Add(new BenchmarkRow(scenario, BenchmarkReport.Invariant($"{plural} a month at which on demand costs as much as a fixed server (${prices.FixedServerPerMonth:0.##} a month)"), plural,
            prices.BreakEvenExecutions(app.PerSecond), null, null,
            BenchmarkReport.Invariant($"fewer, and Flex Consumption is cheaper; after the free grant; one such server kept busy all month at this run's rate would do {app.PerSecond * FlexConsumptionPrices.SecondsPerMonth / 1e6:N0} million"),
            prices.BreakEvenExecutions(template.PerSecond)));
    }

    /// <summary>The cold-start cure's price: one always-ready instance, idle all month.</summary>
    public static void AddAlwaysReady(string scenario, FlexConsumptionPrices prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        BenchmarkReport.Add(new BenchmarkRow(scenario, "one always-ready instance (no cold start), a month", "USD", prices.AlwaysReadyIdleMonth, null, null,
            BenchmarkReport.Invariant($"baseline only, {prices.InstanceMemoryMb:0} MB x 730 h; its executions are billed on top at the always-ready rates; {prices}")));
    }
}
