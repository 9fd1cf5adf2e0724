using Microsoft.Azure.WebJobs.Script.Grpc.Messages;


namespace FunctionsHost.Rpc;

/// <summary>An invocation the host sent and how it ended (a response, or why there was none).</summary>
public sealed record InvocationRecord(InvocationRequest Request, InvocationResponse? Response, Exception? Failure)
{
    public bool Succeeded => Response?.Result?.Status == StatusResult.Types.Status.Success;

    /// <summary>A trigger metadata value as text (a string, or JSON such as <c>1</c>), or null.</summary>
    public string? TriggerValue(string name) =>
        Request.TriggerMetadata.TryGetValue(name, out var value)
            ? value.DataCase == TypedData.DataOneofCase.String ? value.String : value.Json
            : null;
}
