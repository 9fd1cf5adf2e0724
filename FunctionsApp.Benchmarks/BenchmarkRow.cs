namespace FunctionsApp.Benchmarks;

/// <summary>
/// One figure of the results table: the app's value next to the template baseline's (what a user
/// would write instead, from <c>func new</c>) and to its limit or the layer below it, all measured
/// in the same run, with the conditions (backlog, clients, repetitions) that produced them.
/// </summary>
public sealed record BenchmarkRow(
    string Scenario,
    string Metric,
    string Unit,
    double App,
    string? BaselineName,
    double? Baseline,
    string Conditions,
    double? Template = null)
{
    /// <summary>App / baseline; null when the row has no baseline.</summary>
    public double? Ratio => Baseline is > 0 ? App / Baseline : null;

    /// <summary>App / template; null when the row has no template figure.</summary>
    public double? TemplateRatio => Template is > 0 ? App / Template : null;
}
