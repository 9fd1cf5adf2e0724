using System.Globalization;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// The Consumption plan's price list as parameters (defaults: the published pay-as-you-go rates in
/// USD and the monthly free grant), and the monthly price of a fixed server to compare it with;
/// each can be overridden by an environment variable.
/// </summary>
public sealed record ConsumptionPrices(
    double PerGbSecond, double PerMillionExecutions, double FreeGbSecondsPerMonth, double FreeExecutionsPerMonth, double ExecutionsPerMonth, double FixedServerPerMonth)
{
    public static ConsumptionPrices FromEnvironment() => new(
        Double("BENCHMARK_PRICE_PER_GB_SECOND", 0.000016),
        Double("BENCHMARK_PRICE_PER_MILLION_EXECUTIONS", 0.20),
        Double("BENCHMARK_FREE_GB_SECONDS", 400_000),
        Double("BENCHMARK_FREE_EXECUTIONS", 1_000_000),
        Double("BENCHMARK_EXECUTIONS_PER_MONTH", 10_000_000),
        // A 2-vCPU general-purpose Linux VM, pay as you go: about $0.096 an hour, 730 hours a month.
        Double("BENCHMARK_FIXED_SERVER_PER_MONTH", 70.08));

    /// <summary>
    /// The plan bills memory in 128 MB steps and each execution for at least 100 ms; the cost is
    /// given per 1,000 executions before the free grant and for a month of
    /// <see cref="ExecutionsPerMonth"/> executions after it.
    /// </summary>
    public (double GbSecondsPer1000, double CostPer1000, double CostPerMonth) Cost(double peakMegabytes, double secondsPerExecution)
    {
        var gbSecondsPerExecution = BilledGbSeconds(peakMegabytes, secondsPerExecution);
        var per1000 = 1000 * gbSecondsPerExecution * PerGbSecond + 1000 / 1e6 * PerMillionExecutions;
        return (1000 * gbSecondsPerExecution, per1000, MonthCost(ExecutionsPerMonth, gbSecondsPerExecution));
    }

    /// <summary>
    /// The executions a month at which the Consumption plan costs as much as the fixed server: below
    /// it the plan is cheaper. The monthly cost grows with the executions, so a bisection finds it.
    /// </summary>
    public double BreakEvenExecutions(double peakMegabytes, double secondsPerExecution)
    {
        var gbSecondsPerExecution = BilledGbSeconds(peakMegabytes, secondsPerExecution);
        var (low, high) = (0.0, 1e15);
        for (var step = 0; step < 200 && high - low > 1; step++)
        {
            var middle = (low + high) / 2;
            (low, high) = MonthCost(middle, gbSecondsPerExecution) < FixedServerPerMonth ? (middle, high) : (low, middle);
        }

        return low;
    }

    /// <summary>The plan bills memory in 128 MB steps and each execution for at least 100 ms, rounded up to 1 ms.</summary>
    private static double BilledGbSeconds(double peakMegabytes, double secondsPerExecution) =>
        Math.Ceiling(peakMegabytes / 128) * 128 / 1024 * Math.Max(0.1, Math.Ceiling(secondsPerExecution * 1000) / 1000);

    private double MonthCost(double executions, double gbSecondsPerExecution) =>
        (Math.Max(0, executions * gbSecondsPerExecution - FreeGbSecondsPerMonth) * PerGbSecond)
        + (Math.Max(0, executions - FreeExecutionsPerMonth) / 1e6 * PerMillionExecutions);

    public override string ToString() => BenchmarkReport.Invariant(
        $"${PerGbSecond:0.#########}/GB-s, ${PerMillionExecutions:0.###}/million executions, free {FreeGbSecondsPerMonth:N0} GB-s and {FreeExecutionsPerMonth:N0} executions a month");

    private static double Double(string variable, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : fallback;
}
