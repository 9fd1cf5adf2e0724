using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>
/// Where the triggers send invocations: one worker's channel, or the host, which forwards to
/// whichever worker currently runs (a new one after a crash).
/// </summary>
public interface IWorkerInvoker
{
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout);
}
