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
        Assert.Equal("FunctionsHost.QueueListener", entry.Category);
        Assert.Equal("118", entry.EventId);
        Assert.Equal(
            "The queue listener had an unhandled exception: System.ObjectDisposedException: Cannot access a disposed object." + Environment.NewLine + "Object name: 'LoggerFactory'.",
            entry.Message);
        Assert.Contains("System.ObjectDisposedException", entry.Exception, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTimeoutExceptionAsync_LogsTheTimeout()
    {
        var logs = new WorkerLogs();

        await new ListenerExceptionHandler(logs).OnTimeoutExceptionAsync(ExceptionDispatchInfo.Capture(new TimeoutException("function timed out")), TimeSpan.FromSeconds(1));

        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal("117", entry.EventId);
        Assert.Equal("A function of the queue listener timed out: System.TimeoutException: function timed out", entry.Message);
    }
}
