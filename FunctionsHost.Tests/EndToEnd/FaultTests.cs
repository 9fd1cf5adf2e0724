namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// The host's tests that kill, stop or signal whole processes on timing bounds (a worker killed
/// mid-run, a host stopped mid-run, the local run script stopped with SIGINT). xunit runs the
/// collection alone after this project's parallel tests, so those bounds hold on a two-core machine;
/// scripts/test.sh runs the test projects one after another, so no other project's tests run beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTests
{
    public const string Name = "Host fault tests";
}
