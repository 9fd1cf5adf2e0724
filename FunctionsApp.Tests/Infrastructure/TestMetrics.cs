using System.Diagnostics.Metrics;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>The app's metrics on a meter factory of their own, for code built by hand in unit tests.</summary>
internal static class TestMetrics
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static AppMetrics Create() => new(Meters);
}
