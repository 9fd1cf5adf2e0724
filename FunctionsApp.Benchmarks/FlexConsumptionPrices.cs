using System.Globalization;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// The Flex Consumption plan's price list as parameters, and what it charges for the measured
/// throughput; each price can be overridden by an environment variable.
/// </summary>
/// <remarks>
/// How the plan bills (Microsoft Learn, "Estimating consumption-based costs", Flex Consumption
/// billing table, include dated 2024-11-05, read 2026-11-30): on demand, the instance's memory
/// size for the time the instance is executing at least one function (GB-s; executions running at
/// the same time on one instance share that time) less a monthly free grant, plus each execution
/// less a monthly free grant; an always-ready instance, its memory size all month (the baseline)
/// plus its memory while it executes, at a lower rate, plus each execution, with no free grant.
/// Defaults, USD, pay as you go: $0.000026 per on-demand GB-s (seen in modal.com's "Azure Functions
/// pricing" guide of 2025-05-22, which quotes the East US pricing page). Not confirmed from a page
/// read in this session, taken from the Azure Functions pricing page as last known: $0.40 per
/// million executions, a free grant of 100,000 GB-s and 250,000 executions a month, always ready
/// $0.000004 per baseline GB-s and $0.000016 per execution GB-s. Check
/// https://azure.microsoft.com/pricing/details/functions/ before relying on them. The plan's
/// minimum billed period per execution (1,000 ms, as users report) is not modelled: under the
/// continuous load measured here an instance is never briefly active.
/// </remarks>
public sealed record FlexConsumptionPrices(
    double OnDemandPerGbSecond,
    double PerMillionExecutions,
    double FreeGbSecondsPerMonth,
    double FreeExecutionsPerMonth,
    double AlwaysReadyBaselinePerGbSecond,
    double AlwaysReadyExecutionPerGbSecond,
    double InstanceMemoryMb,
    double FixedServerPerMonth)
{
    /// <summary>730 hours, as Azure's pricing calculator counts a month.</summary>
    public const double SecondsPerMonth = 730 * 3600;

    public static FlexConsumptionPrices FromEnvironment() => new(
        Double("BENCHMARK_FLEX_PER_GB_SECOND", 0.000026),
        Double("BENCHMARK_FLEX_PER_MILLION_EXECUTIONS", 0.40),
        Double("BENCHMARK_FLEX_FREE_GB_SECONDS", 100_000),
        Double("BENCHMARK_FLEX_FREE_EXECUTIONS", 250_000),
        Double("BENCHMARK_FLEX_ALWAYS_READY_BASELINE_PER_GB_SECOND", 0.000004),
        Double("BENCHMARK_FLEX_ALWAYS_READY_EXECUTION_PER_GB_SECOND", 0.000016),
        // The plan's default instance size; 512 and 4,096 MB are the others.
        Double("BENCHMARK_FLEX_INSTANCE_MEMORY_MB", 2048),
        // A 2-vCPU general-purpose Linux VM, pay as you go: about $0.096 an hour, 730 hours a month.
        Double("BENCHMARK_FIXED_SERVER_PER_MONTH", 70.08));

    private double InstanceGb => InstanceMemoryMb / 1024;

    /// <summary>
    /// On-demand GB-s per million executions on instances that each do
    /// <paramref name="perInstancePerSecond"/> at the measured concurrency, so each is active
    /// 1,000,000 / that many seconds per million.
    /// </summary>
    public double GbSecondsPerMillion(double perInstancePerSecond) =>
        perInstancePerSecond > 0 ? InstanceGb * 1e6 / perInstancePerSecond : throw new ArgumentOutOfRangeException(nameof(perInstancePerSecond), "The throughput must be positive.");

    /// <summary>On-demand cost of a million executions, before the free grant.</summary>
    public double CostPerMillion(double perInstancePerSecond) =>
        (GbSecondsPerMillion(perInstancePerSecond) * OnDemandPerGbSecond) + PerMillionExecutions;

    /// <summary>On-demand cost of a month of <paramref name="executions"/>, after the free grant.</summary>
    public double MonthCost(double executions, double perInstancePerSecond) =>
        (Math.Max(0, (executions * GbSecondsPerMillion(perInstancePerSecond) / 1e6) - FreeGbSecondsPerMonth) * OnDemandPerGbSecond)
        + (Math.Max(0, executions - FreeExecutionsPerMonth) / 1e6 * PerMillionExecutions);

    /// <summary>
    /// The executions a month at which on demand costs what the fixed server costs: fewer, and the
    /// plan is cheaper. The month's cost only grows with the executions, so a bisection finds it.
    /// </summary>
    public double BreakEvenExecutions(double perInstancePerSecond)
    {
        var (low, high) = (0.0, 1e15);
        for (var step = 0; step < 200 && high - low > 1; step++)
        {
            var middle = (low + high) / 2;
            (low, high) = MonthCost(middle, perInstancePerSecond) < FixedServerPerMonth ? (middle, high) : (low, middle);
        }

        return low;
    }

    /// <summary>One always-ready instance kept for a month with nothing to do: its baseline only.</summary>
    public double AlwaysReadyIdleMonth => InstanceGb * SecondsPerMonth * AlwaysReadyBaselinePerGbSecond;

    /// <summary>
    /// A million executions on an always-ready instance: its memory while it executes, at the
    /// always-ready execution rate, plus the executions (no free grant); the baseline comes on top.
    /// </summary>
    public double AlwaysReadyCostPerMillion(double perInstancePerSecond) =>
        (GbSecondsPerMillion(perInstancePerSecond) * AlwaysReadyExecutionPerGbSecond) + PerMillionExecutions;

    public override string ToString() => BenchmarkReport.Invariant(
        $"Flex Consumption, {InstanceMemoryMb:0} MB instances: on demand ${OnDemandPerGbSecond:0.#########}/GB-s and ${PerMillionExecutions:0.###}/million executions, free {FreeGbSecondsPerMonth:N0} GB-s and {FreeExecutionsPerMonth:N0} executions a month; always ready ${AlwaysReadyBaselinePerGbSecond:0.#########}/GB-s baseline, ${AlwaysReadyExecutionPerGbSecond:0.#########}/GB-s executing");

    private static double Double(string variable, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : fallback;
}
