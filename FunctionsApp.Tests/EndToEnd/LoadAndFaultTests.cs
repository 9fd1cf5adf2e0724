namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The collection of the load and fault tests (thousands of messages, a killed worker, a stopped
/// Azurite, a stopped host). xunit runs it alone after the parallel tests, so the timing those
/// tests are sized for (outage length, visibility timeouts) does not depend on what else loads a
/// two-core machine, and they do not slow the other tests down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadAndFaultTests
{
    public const string Name = "Load and fault tests";
}
