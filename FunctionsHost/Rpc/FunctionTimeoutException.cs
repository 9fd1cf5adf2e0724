using Microsoft.Azure.WebJobs.Script.Grpc.Messages;


namespace FunctionsHost.Rpc;

/// <summary>
/// An invocation ran past the function timeout: the host has given up on it (and asked the worker
/// to cancel it), so the trigger treats it as a failed attempt, as the Functions host does.
/// </summary>
public sealed class FunctionTimeoutException : TimeoutException
{
    public FunctionTimeoutException()
    {
    }

    public FunctionTimeoutException(string message)
        : base(message)
    {
    }

    public FunctionTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionTimeoutException(string message, string invocationId, TimeSpan timeout, Task<InvocationResponse> lateResponse)
        : base(message)
    {
        InvocationId = invocationId;
        Timeout = timeout;
        LateResponse = lateResponse;
    }

    public string? InvocationId { get; }

    public TimeSpan Timeout { get; }

    /// <summary>
    /// Completes when the worker answers the invocation after all (it ended, cancelled or not), or
    /// fails when the worker goes first: the host restarts a worker that keeps running it.
    /// </summary>
    public Task<InvocationResponse>? LateResponse { get; }
}
