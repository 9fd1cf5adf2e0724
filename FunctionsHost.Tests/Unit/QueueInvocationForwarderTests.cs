using Azure.Storage.Queues.Models;
using FunctionsHost.Queues;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Moq;

namespace FunctionsHost.Tests.Unit;

public sealed class QueueInvocationForwarderTests
{
    [Fact]
    public async Task ForwardAsync_NamesTheFunctionAndLeavesItsIdToTheInvoker()
    {
        var function = FunctionRegistryTests.Queue("ProcessWorkItem", "first-worker-id");
        var invoker = new Mock<IFunctionInvoker>(MockBehavior.Strict);
        InvocationRequest? sent = null;
        invoker
            .Setup(i => i.InvokeAsync("ProcessWorkItem", It.IsAny<InvocationRequest>(), TimeSpan.FromMinutes(1)))
            .Callback<string, InvocationRequest, TimeSpan>((_, request, _) => sent = request)
            .ReturnsAsync((string _, InvocationRequest request, TimeSpan _) => Invocations.Succeeded(request));
        var forwarder = new QueueInvocationForwarder([function], invoker.Object, TimeSpan.FromMinutes(1));

        await forwarder.ForwardAsync("ProcessWorkItem", Message("{}"));

        Assert.NotNull(sent);
        // A restarted worker answers to new ids: the trigger must not carry the one it was built with.
        Assert.Equal("", sent.FunctionId);
        Assert.Equal("{}", sent.TriggerMetadata["QueueTrigger"].String);
    }

    [Fact]
    public async Task ForwardAsync_FailedInvocation_ThrowsSoTheListenerRetries()
    {
        var function = FunctionRegistryTests.Queue("ProcessWorkItem", "id-1");
        var invoker = new Mock<IFunctionInvoker>(MockBehavior.Strict);
        invoker
            .Setup(i => i.InvokeAsync("ProcessWorkItem", It.IsAny<InvocationRequest>(), It.IsAny<TimeSpan>()))
            .ReturnsAsync((string _, InvocationRequest request, TimeSpan _) => new InvocationResponse
            {
                InvocationId = request.InvocationId,
                Result = new StatusResult { Status = StatusResult.Types.Status.Failure, Exception = new RpcException { Message = "boom" } },
            });
        var forwarder = new QueueInvocationForwarder([function], invoker.Object, TimeSpan.FromMinutes(1));

        var failure = await Assert.ThrowsAsync<FunctionInvocationFailedException>(() => forwarder.ForwardAsync("ProcessWorkItem", Message("{}")));

        Assert.Contains("boom", failure.Message, StringComparison.Ordinal);
    }

    private static QueueMessage Message(string body) =>
        QueuesModelFactory.QueueMessage(
            "message-1", "receipt", BinaryData.FromString(body), 1,
            DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7));
}
