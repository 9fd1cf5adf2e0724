namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// How long a storage request takes in Azure, as the latency stage adds it to each request
/// (docs/performance.md says where the figures come from): a fixed delay, or a lognormal one given
/// by its median and 99th percentile, drawn from a seeded generator.
/// </summary>
public sealed class StorageLatency
{
    // The standard normal's 99th percentile: p99 = median * exp(2.326 sigma) for a lognormal.
    private const double NormalP99 = 2.3263478740408408;

    private readonly Lock gate = new();
    private readonly Random random;

    private StorageLatency(string name, double medianMs, double p99Ms, int seed)
    {
        Name = name;
        MedianMs = medianMs;
        P99Ms = p99Ms;
        Sigma = p99Ms > medianMs ? Math.Log(p99Ms / medianMs) / NormalP99 : 0;
        random = new Random(seed);
    }

    /// <summary>The same delay for every request.</summary>
    public static StorageLatency Fixed(double ms) => new(BenchmarkReport.Invariant($"fixed {ms:0.#} ms"), ms, ms, seed: 0);

    /// <summary>Lognormal delays with the given median and 99th percentile.</summary>
    public static StorageLatency Tailed(double medianMs, double p99Ms, int seed) =>
        new(BenchmarkReport.Invariant($"lognormal, median {medianMs:0.#} ms, p99 {p99Ms:0.#} ms"), medianMs, p99Ms, seed);

    public string Name { get; }

    public double MedianMs { get; }

    public double P99Ms { get; }

    /// <summary>The spread of the delay's logarithm; 0 for a fixed delay.</summary>
    public double Sigma { get; }

    public double MeanMs => MedianMs * Math.Exp(Sigma * Sigma / 2);

    /// <summary>The next request's delay (thread-safe: every connection of the stage draws from one generator).</summary>
    public TimeSpan Next()
    {
        lock (gate)
        {
            return TimeSpan.FromMilliseconds(Draw(random));
        }
    }

    /// <summary>A delay in milliseconds drawn from <paramref name="source"/>, for predictions that must not disturb the stage's sequence.</summary>
    public double Draw(Random source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Sigma == 0)
        {
            return MedianMs;
        }

        // Box-Muller: a standard normal from two uniforms in (0, 1].
        var normal = Math.Sqrt(-2 * Math.Log(1 - source.NextDouble())) * Math.Cos(2 * Math.PI * source.NextDouble());
        return MedianMs * Math.Exp(Sigma * normal);
    }

    public override string ToString() => Name;
}
