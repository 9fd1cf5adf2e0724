using FunctionsHost.Rpc;
using FunctionsHost.Worker;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Tests.Unit;

public sealed class FunctionRegistryTests
{
    [Fact]
    public void Address_AfterARestartedWorkerReportsNewIds_GivesTheInvocationTheNewWorkersId()
    {
        var registry = new FunctionRegistry();
        registry.Publish([Queue("ProcessWorkItem", "first-1"), Queue("Other", "first-2")]);
        var request = Invocations.New();
        registry.Address(request, "ProcessWorkItem");
        Assert.Equal("first-1", request.FunctionId);

        registry.Publish([Queue("ProcessWorkItem", "second-1"), Queue("Other", "second-2")]);
        registry.Address(request, "ProcessWorkItem");

        Assert.Equal("second-1", request.FunctionId);
        Assert.Equal(["second-1", "second-2"], registry.Functions.Select(f => f.FunctionId));
    }

    [Fact]
    public void TryGetName_KnowsTheIdsOfAReplacedWorker()
    {
        var registry = new FunctionRegistry();
        registry.Publish([Queue("ProcessWorkItem", "first-1")]);
        registry.Publish([Queue("ProcessWorkItem", "second-1")]);

        Assert.True(registry.TryGetName("first-1", out var replaced));
        Assert.Equal("ProcessWorkItem", replaced);
        Assert.True(registry.TryGetName("second-1", out var current));
        Assert.Equal("ProcessWorkItem", current);
        Assert.False(registry.TryGetName("never-issued", out _));
    }

    [Fact]
    public void Function_UnknownName_ThrowsNamingWhatTheWorkerReported()
    {
        var registry = new FunctionRegistry();
        registry.Publish([Queue("ProcessWorkItem", "id-1")]);

        var failure = Assert.Throws<InvalidOperationException>(() => registry.Address(Invocations.New(), "Missing"));

        Assert.Contains("no function Missing", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ProcessWorkItem (queueTrigger)", failure.Message, StringComparison.Ordinal);
    }

    internal static WorkerFunction Queue(string name, string functionId) =>
        WorkerFunction.FromMetadata(new RpcFunctionMetadata
        {
            Name = name,
            FunctionId = functionId,
            RawBindings = { """{"type":"queueTrigger","direction":"in","name":"message","queueName":"work"}""" },
        });
}
