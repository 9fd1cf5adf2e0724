using Microsoft.Extensions.Logging;

namespace FunctionsHost.Logging;

/// <summary>
/// The host's own log events (EventIds 100-199), kept in <see cref="WorkerLogs"/> with source Host and
/// category FunctionsHost (the queue listener's under FunctionsHost.QueueListener): 100-109 the
/// worker's start and replacement, 110-119 invocations (their timeout, the HTTP forward, the worker's
/// replies, the queue listener's uncaught exceptions) and the stop.
/// </summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 100, EventName = "WorkerReady", Level = LogLevel.Information,
        Message = "Worker {ProcessId} ready: {StartupTimes}.")]
    public static partial void WorkerReady(ILogger logger, int processId, Worker.WorkerStartupTimes startupTimes);

    [LoggerMessage(EventId = 101, EventName = "WorkerExited", Level = LogLevel.Warning,
        Message = "Worker {ProcessId} exited with code {ExitCode}; starting a new worker.")]
    public static partial void WorkerExited(ILogger logger, int processId, int exitCode);

    [LoggerMessage(EventId = 102, EventName = "WorkerReplaced", Level = LogLevel.Warning,
        Message = "Worker {ProcessId} replaced worker {ExitedProcessId} (attempt {Attempt}).")]
    public static partial void WorkerReplaced(ILogger logger, int processId, int exitedProcessId, int attempt);

    [LoggerMessage(EventId = 103, EventName = "RestartAttemptFailed", Level = LogLevel.Warning,
        Message = "Restart attempt {Attempt} failed: {Reason}")]
    public static partial void RestartAttemptFailed(ILogger logger, Exception exception, int attempt, string reason);

    [LoggerMessage(EventId = 104, EventName = "WorkerNotRestarted", Level = LogLevel.Error,
        Message = "The worker could not be restarted: {Reason}")]
    public static partial void WorkerNotRestarted(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 105, EventName = "TimedOutWorkerRestarting", Level = LogLevel.Warning,
        Message = "A function timeout has occurred. Restarting worker process {ProcessId} executing invocation '{InvocationId}' (still running {GraceSeconds:F0} s after cancellation).")]
    public static partial void TimedOutWorkerRestarting(ILogger logger, int processId, string invocationId, double graceSeconds);

    [LoggerMessage(EventId = 110, EventName = "FunctionTimeoutConfigured", Level = LogLevel.Information,
        Message = "Function timeout: {FunctionTimeout} (host.json {Setting}).")]
    public static partial void FunctionTimeoutConfigured(ILogger logger, string functionTimeout, string setting);

    [LoggerMessage(EventId = 111, EventName = "FunctionTimedOut", Level = LogLevel.Error,
        Message = "Timeout value of {FunctionTimeout} exceeded by function '{FunctionName}' (Id: '{InvocationId}'). {Next}")]
    public static partial void FunctionTimedOut(ILogger logger, string functionTimeout, string functionName, string invocationId, string next);

    [LoggerMessage(EventId = 112, EventName = "LateInvocationEnded", Level = LogLevel.Information,
        Message = "Invocation '{InvocationId}' ended {SecondsLate:F1} s after its timeout ({Status}); the worker goes on.")]
    public static partial void LateInvocationEnded(ILogger logger, string invocationId, double secondsLate, string status);

    [LoggerMessage(EventId = 113, EventName = "TriggerNotRun", Level = LogLevel.Warning,
        Message = "Function {FunctionName} has a {TriggerType} trigger, which this host does not run; it stays idle.")]
    public static partial void TriggerNotRun(ILogger logger, string functionName, string triggerType);

    [LoggerMessage(EventId = 114, EventName = "DrainIncomplete", Level = LogLevel.Warning,
        Message = "{Pending} invocation(s) still pending after {DrainSeconds} s; terminating the worker anyway.")]
    public static partial void DrainIncomplete(ILogger logger, int pending, double drainSeconds);

    [LoggerMessage(EventId = 115, EventName = "ForwardFailed", Level = LogLevel.Warning,
        Message = "Forwarding invocation {InvocationId} to the worker at {WorkerUri} failed: {Error} ({Detail}).")]
    public static partial void ForwardFailed(ILogger logger, Exception? exception, string invocationId, Uri workerUri, string error, string detail);

    [LoggerMessage(EventId = 116, EventName = "UnsolicitedMessage", Level = LogLevel.Debug,
        Message = "Unsolicited {ContentCase} from the worker (request id '{RequestId}').")]
    public static partial void UnsolicitedMessage(ILogger logger, string contentCase, string requestId);

    [LoggerMessage(EventId = 117, EventName = "ListenerFunctionTimedOut", Level = LogLevel.Error,
        Message = "A function of the queue listener timed out: {ExceptionType}: {Reason}")]
    public static partial void ListenerFunctionTimedOut(ILogger logger, Exception exception, string exceptionType, string reason);

    [LoggerMessage(EventId = 118, EventName = "ListenerUnhandledException", Level = LogLevel.Error,
        Message = "The queue listener had an unhandled exception: {ExceptionType}: {Reason}")]
    public static partial void ListenerUnhandledException(ILogger logger, Exception exception, string exceptionType, string reason);
}
