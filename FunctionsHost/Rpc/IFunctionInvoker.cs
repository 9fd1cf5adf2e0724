using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Rpc;

/// <summary>
/// The triggers' one way into the worker: an invocation of a function named by its name. The
/// implementation decides which worker runs it and under which function id.
/// </summary>
public interface IFunctionInvoker
{
    /// <summary>The HTTP endpoint of the worker in service if it serves HTTP itself (ASP.NET Core integration); null on the built-in model.</summary>
    Uri? HttpUri { get; }

    /// <summary>Runs <paramref name="request"/> (its <c>FunctionId</c> left to the invoker) as the function <paramref name="functionName"/>.</summary>
    Task<InvocationResponse> InvokeAsync(string functionName, InvocationRequest request, TimeSpan timeout);
}
