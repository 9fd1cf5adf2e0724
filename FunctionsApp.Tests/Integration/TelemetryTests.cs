namespace FunctionsApp.Tests.Integration;

/// <summary>
/// The collection of the tests that listen to the app's telemetry. Trace and metric listeners
/// are process-wide, so these run alone, after the parallel tests: nothing else emits meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTests
{
    public const string Name = "Telemetry";
}
