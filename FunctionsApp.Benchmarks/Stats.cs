namespace FunctionsApp.Benchmarks;

/// <summary>Order statistics of a sample: median and spread for repetitions, percentiles for latencies.</summary>
public sealed record Stats(int Count, double Min, double Median, double Max, double P99, double Mean)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new InvalidOperationException("No measurements were taken.");
        }

        return new Stats(sorted.Length, sorted[0], Percentile(sorted, 50), sorted[^1], Percentile(sorted, 99), sorted.Average());
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
