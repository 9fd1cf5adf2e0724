
namespace FunctionsHost.Rpc;

/// <summary>
/// Where the triggers send invocations: one worker's channel, or the host, which forwards to
/// whichever worker currently runs (a new one after a crash).
/// </summary>
public interface IWorkerInvoker
{
    /// <summary>The HTTP endpoint of the worker in service if it serves HTTP itself (ASP.NET Core integration); null on the built-in model.</summary>
    Uri? HttpUri { get; }

    Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout);
}
