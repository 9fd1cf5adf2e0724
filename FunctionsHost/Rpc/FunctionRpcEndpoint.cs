using Grpc.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Rpc;

/// <summary>The gRPC service the worker connects to; hands its one stream to the channel.</summary>
public sealed class FunctionRpcEndpoint(WorkerRpcChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream,
        IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return channel.RunStreamAsync(requestStream, responseStream, context.CancellationToken);
    }
}
