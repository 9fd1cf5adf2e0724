namespace FunctionsApp.Benchmarks;

/// <summary>
/// One figure of the results table: the app's value next to its baseline's, measured in the same
/// run, with the conditions (backlog, clients, repetitions) that produced them.
/// </summary>
public sealed record BenchmarkRow(
    string Scenario,
    string Metric,
    string Unit,
    double App,
    string? BaselineName,
    double? Baseline,
    string Conditions)
{
    /// <summary>App / baseline; null when the row has no baseline.</summary>
    public double? Ratio => Baseline is > 0 ? App / Baseline : null;
}
