using System.Runtime.ExceptionServices;
using FunctionsHost.Logging;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Queues;

/// <summary>
/// What the queue listener does with an exception nothing else caught (one thrown while a message
/// is finished after the host began to stop, for instance): it is written to the host's log.
/// The WebJobs SDK's own handler rethrows it on a new thread, which ends the process. The Functions
/// host replaces that handler too: it logs the error and stops its script host (which the platform
/// then restarts). Ours only logs, and the host goes on: the one case seen, a message finishing
/// while the host stops, is stopping already.
/// </summary>
public sealed class ListenerExceptionHandler(WorkerLogs logs) : IWebJobsExceptionHandler
{
    private readonly ILogger logger = logs.HostLogger("FunctionsHost.QueueListener");

    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(exceptionInfo);
        var exception = exceptionInfo.SourceException;
        HostLog.ListenerFunctionTimedOut(logger, exception, exception.GetType().FullName!, exception.Message);
        return Task.CompletedTask;
    }

    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
    {
        ArgumentNullException.ThrowIfNull(exceptionInfo);
        var exception = exceptionInfo.SourceException;
        HostLog.ListenerUnhandledException(logger, exception, exception.GetType().FullName!, exception.Message);
        return Task.CompletedTask;
    }
}
