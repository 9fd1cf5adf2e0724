namespace FunctionsApp.Benchmarks;

/// <summary>
/// Puts every benchmark in one collection that runs alone: two scenarios measured at the same
/// time would each slow the other down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialBenchmarks
{
    public const string Name = "Benchmark";

    /// <summary>The trait value that scripts/test.sh leaves out and scripts/benchmark.sh selects.</summary>
    public const string Category = "Benchmark";
}
