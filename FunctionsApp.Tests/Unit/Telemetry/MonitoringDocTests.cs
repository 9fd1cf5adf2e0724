using System.Reflection;
using System.Text.RegularExpressions;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Tests.Unit.Telemetry;

/// <summary>docs/monitoring.md, its queries included, names only what the code emits.</summary>
public sealed partial class MonitoringDocTests
{
    private static readonly string Monitoring = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "monitoring.md"));

    /// <summary>Every metric name and tag the code defines: the constants of AppMetrics.Names and AppTelemetry.</summary>
    private static readonly HashSet<string> Emitted =
    [
        .. Constants(typeof(AppMetrics.Names)),
        .. Constants(typeof(AppTelemetry)),
    ];

    [Fact]
    public void EveryFunctionsAppName_IsOneTheCodeEmits()
    {
        var named = AppNames().Matches(Monitoring).Select(m => m.Value.TrimEnd('.')).Distinct().ToList();

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.Contains(name, Emitted));
    }

    [Fact]
    public void EveryMetric_IsInTheTable()
    {
        Assert.All(Constants(typeof(AppMetrics.Names)), name => Assert.Contains($"| `{name}` |", Monitoring, StringComparison.Ordinal));
    }

    [Fact]
    public void Queries_FilterOnEmittedNamesAndDimensions()
    {
        var queries = KustoBlocks().Matches(Monitoring).Select(m => m.Groups[1].Value).ToList();
        Assert.True(queries.Count >= 3, $"expected the Monitoring section's queries, found {queries.Count}");

        var metricNames = queries.SelectMany(q => MetricFilters().Matches(q)).Select(m => m.Groups[1].Value).ToList();
        var dimensions = queries.SelectMany(q => Dimensions().Matches(q)).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(AppMetrics.Names.DeadLettered, metricNames);
        Assert.All(metricNames, name => Assert.Contains(name, Constants(typeof(AppMetrics.Names))));
        // Tags, plus the message scope's key that the logs carry.
        Assert.All(dimensions, key => Assert.True(Emitted.Contains(key) || key == "MessageId", $"{key} is not a tag or scope key the app writes"));
        Assert.Contains(queries, q => q.Contains($"name startswith \"{AppTelemetry.ProcessOperation} \"", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);


    [GeneratedRegex(@"functionsapp\.[a-z_.]+[a-z_]")]
    private static partial Regex AppNames();

    [GeneratedRegex("```kusto\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex KustoBlocks();

    [GeneratedRegex("name == \"([^\"]+)\"")]
    private static partial Regex MetricFilters();

    [GeneratedRegex("customDimensions\\[\"([^\"]+)\"\\]")]
    private static partial Regex Dimensions();
}
