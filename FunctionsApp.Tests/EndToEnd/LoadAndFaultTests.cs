namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The collection of the app's load and fault tests (thousands of messages, a stopped Azurite, three
/// instances with a killed worker and a stopped host). xunit runs it alone after the parallel tests,
/// and scripts/test.sh runs the test projects one after another, so the timing those tests are
/// sized for (outage length, visibility timeouts) does not depend on what else loads a two-core
/// machine, and they do not slow the other tests down. The host's own fault tests have a collection
/// of their own in FunctionsHost.Tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadAndFaultTests
{
    public const string Name = "Load and fault tests";
}
