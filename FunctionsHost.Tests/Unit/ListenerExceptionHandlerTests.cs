using System.Runtime.ExceptionServices;
using FunctionsHost.Logging;
using FunctionsHost.Queues;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Tests.Unit;

public sealed class ListenerExceptionHandlerTests
{
    [Fact]
    public async Task OnUnhandledExceptionAsync_LogsTheExceptionAsAnErrorInsteadOfEndingTheProcess()
    {
        var logs = new WorkerLogs();
        var handler = new ListenerExceptionHandler(logs);

        await handler.OnUnhandledExceptionAsync(ExceptionDispatchInfo.Capture(new ObjectDisposedException("LoggerFactory")));

        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal(WorkerLogSource.Host, entry.Source);
        Assert.Contains("System.ObjectDisposedException", entry.Message, StringComparison.Ordinal);
        Assert.Contains("LoggerFactory", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTimeoutExceptionAsync_LogsTheTimeout()
    {
        var logs = new WorkerLogs();

        await new ListenerExceptionHandler(logs).OnTimeoutExceptionAsync(ExceptionDispatchInfo.Capture(new TimeoutException("function timed out")), TimeSpan.FromSeconds(1));

        Assert.Contains("function timed out", Assert.Single(logs.Snapshot()).Message, StringComparison.Ordinal);
    }
}
