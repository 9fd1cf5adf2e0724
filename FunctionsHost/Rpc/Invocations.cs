using System.Diagnostics;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Rpc;

/// <summary>Builds invocation requests the way the Functions host does.</summary>
public static class Invocations
{
    /// <summary>
    /// An invocation with a fresh id and trace context and no inputs yet; its function id is left to
    /// the <see cref="IFunctionInvoker"/>, which knows the worker that will run it.
    /// </summary>
    public static InvocationRequest New() =>
        new()
        {
            InvocationId = Guid.NewGuid().ToString(),
            // Required: the worker fails with a NullReferenceException without a trace context.
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01",
            },
        };

    /// <summary>A worker's answer that <paramref name="request"/> succeeded, for stand-ins that do the work in process.</summary>
    public static InvocationResponse Succeeded(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InvocationResponse
        {
            InvocationId = request.InvocationId,
            Result = new StatusResult { Status = StatusResult.Types.Status.Success },
        };
    }
}
