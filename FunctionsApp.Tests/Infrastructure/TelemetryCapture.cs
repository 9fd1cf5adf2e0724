using System.Diagnostics;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// The app's OpenTelemetry setup (<see cref="TelemetrySetup.AddAppOpenTelemetry"/>) with in-memory
/// exporters: the spans and metric points the app emits, read after a flush. Listeners are
/// process-wide, so tests that use it run in the Telemetry collection, alone.
/// </summary>
public sealed class TelemetryCapture
{
    private readonly List<Activity> spans = [];
    private readonly List<MetricSnapshot> metrics = [];
    private TracerProvider? tracerProvider;
    private MeterProvider? meterProvider;

    /// <summary>Adds the app's telemetry with the in-memory exporters to a container.</summary>
    public void Register(IServiceCollection services) =>
        services.AddAppOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(spans))
            .WithMetrics(metricsBuilder => metricsBuilder.AddInMemoryExporter(metrics));

    /// <summary>Starts the providers (a host would, through its hosted service).</summary>
    public void Start(IServiceProvider services)
    {
        tracerProvider = services.GetRequiredService<TracerProvider>();
        meterProvider = services.GetRequiredService<MeterProvider>();
    }

    /// <summary>Every span the app's, the worker's and the Azure SDK's sources finished so far.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            Provider(tracerProvider).ForceFlush();
            return [.. spans];
        }
    }

    /// <summary>The dispatch spans (<c>process &lt;queue&gt;</c>) of the given message.</summary>
    public Activity DispatchSpan(string messageId) =>
        Assert.Single(Spans, s => s.Source.Name == AppTelemetry.Name && Equals(s.GetTagItem(AppTelemetry.MessageIdTag), messageId));

    /// <summary>
    /// The sum of a counter's (or a histogram's count of) points whose tags include all of
    /// <paramref name="tags"/>, as of the last export (cumulative).
    /// </summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags)
    {
        Provider(meterProvider).ForceFlush();
        var latest = metrics.LastOrDefault(m => m.Name == instrument);
        if (latest is null)
        {
            return 0;
        }

        double sum = 0;
        foreach (var point in latest.MetricPoints)
        {
            var pointTags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                pointTags[tag.Key] = tag.Value;
            }

            if (tags.All(t => pointTags.TryGetValue(t.Key, out var value) && Equals(value?.ToString(), t.Value.ToString())))
            {
                sum += latest.MetricType switch
                {
                    MetricType.LongSum => point.GetSumLong(),
                    MetricType.DoubleSum => point.GetSumDouble(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => throw new InvalidOperationException($"{instrument} is a {latest.MetricType}, which this helper does not sum."),
                };
            }
        }

        return sum;
    }

    /// <summary>The unit an instrument was exported with.</summary>
    public string? Unit(string instrument)
    {
        Provider(meterProvider).ForceFlush();
        return metrics.LastOrDefault(m => m.Name == instrument)?.Unit;
    }

    private static T Provider<T>(T? provider)
        where T : class => provider ?? throw new InvalidOperationException("Call Start with the app's container first.");
}
