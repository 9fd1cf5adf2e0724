using System.Diagnostics;

namespace FunctionsHost.Rpc;

/// <summary>Builds invocation requests the way the Functions host does.</summary>
public static class Invocations
{
    /// <summary>An invocation of <paramref name="function"/> with a fresh id and trace context and no inputs yet.</summary>
    public static InvocationRequest New(WorkerFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            // Required: the worker fails with a NullReferenceException without a trace context.
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01",
            },
        };
    }

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
