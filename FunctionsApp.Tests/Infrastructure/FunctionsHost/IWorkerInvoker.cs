using FunctionsApp.Tests.Infrastructure.FunctionsHost.Rpc;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// Where the triggers send invocations: one worker's channel, or the test host, which forwards to
/// whichever worker currently runs (a new one after a crash).
/// </summary>
public interface IWorkerInvoker
{
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout);
}
