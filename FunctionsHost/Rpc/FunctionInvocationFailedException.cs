namespace FunctionsHost.Rpc;

/// <summary>The worker ran a function and reported Failure; thrown so the trigger's retry rules apply.</summary>
public sealed class FunctionInvocationFailedException : Exception
{
    public FunctionInvocationFailedException()
    {
    }

    public FunctionInvocationFailedException(string message)
        : base(message)
    {
    }

    public FunctionInvocationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionInvocationFailedException(string functionName, string workerMessage)
        : base($"The worker reported a failure of {functionName}: {workerMessage}")
    {
        FunctionName = functionName;
    }

    public string? FunctionName { get; }
}
