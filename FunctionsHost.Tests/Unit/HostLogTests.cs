using FunctionsHost.Logging;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Tests.Unit;

public sealed class HostLogTests
{
    [Fact]
    public void TimedOutWorkerRestarting_IsKeptAsAHostLineWithItsEventIdAndTheTextTheTestsSearchFor()
    {
        var logs = new WorkerLogs();

        HostLog.TimedOutWorkerRestarting(logs.Host, 4242, "inv-1", 2);

        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal(WorkerLogSource.Host, entry.Source);
        Assert.Equal("FunctionsHost", entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("105", entry.EventId);
        Assert.Equal(
            "A function timeout has occurred. Restarting worker process 4242 executing invocation 'inv-1' (still running 2 s after cancellation).",
            entry.Message);
    }

    [Fact]
    public void LateInvocationEnded_FormatsTheSecondsWithOneDecimal()
    {
        var logs = new WorkerLogs();

        HostLog.LateInvocationEnded(logs.Host, "inv-2", 1.26, "Success");

        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal("112", entry.EventId);
        Assert.Equal("Invocation 'inv-2' ended 1.3 s after its timeout (Success); the worker goes on.", entry.Message);
    }

    [Fact]
    public void DebugLevelEventsAreKeptToo()
    {
        // Debug-level host events (116) are kept too: the logger must not filter by level.
        var logs = new WorkerLogs();

        Assert.True(logs.Host.IsEnabled(LogLevel.Trace));
    }

    [Fact]
    public void RestartAttemptFailed_KeepsTheExceptionBesideTheUnchangedText()
    {
        var logs = new WorkerLogs();
        var failure = new InvalidOperationException("port taken");

        HostLog.RestartAttemptFailed(logs.Host, failure, 2, failure.Message);

        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal("Restart attempt 2 failed: port taken", entry.Message);
        Assert.Contains("System.InvalidOperationException: port taken", entry.Exception, StringComparison.Ordinal);
    }
}
