using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Worker;

/// <summary>
/// Runs the triggers' invocations on the worker in service: waits for a replacement while a crashed
/// worker is being restarted (as the Functions host holds invocations during a restart), gives each
/// request the current worker's id for its function, and after a function timeout has the
/// supervisor restart a worker that goes on running the invocation.
/// </summary>
internal sealed class CurrentWorkerInvoker(
    WorkerSupervisor supervisor, FunctionRegistry registry, WorkerLogs logs, Action<InvocationRequest, InvocationResponse>? invocationEnded)
    : IFunctionInvoker
{
    public Uri? HttpUri => supervisor.Channel?.HttpUri;

    public async Task<InvocationResponse> InvokeAsync(string functionName, InvocationRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        WorkerRpcChannel target;
        try
        {
            target = await supervisor.ReadyChannel.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new WorkerUnavailableException($"No worker was ready within {timeout.TotalSeconds} s; a restart is under way.");
        }

        registry.Address(request, functionName);
        InvocationResponse response;
        try
        {
            response = await target.InvokeAsync(request, timeout);
        }
        catch (FunctionTimeoutException timedOut)
        {
            HostLog.FunctionTimedOut(logs.Host, FunctionTimeoutSetting.Describe(timeout), functionName, request.InvocationId,
                target.HandlesInvocationCancel ? "Initiating cancellation." : "The worker does not handle InvocationCancel; it is not told.");
            _ = supervisor.RestartIfStillRunningAsync(target, request.InvocationId, timedOut.LateResponse!);
            throw new FunctionTimeoutException(
                $"Timeout value of {FunctionTimeoutSetting.Describe(timeout)} was exceeded by function: {functionName}", request.InvocationId, timeout, timedOut.LateResponse!);
        }

        invocationEnded?.Invoke(request, response);
        return response;
    }
}
