using Azure;
using Azure.Storage.Queues.Models;
using FunctionsApp.Dispatch;
using FunctionsApp.Functions;
using Moq;

namespace FunctionsApp.Tests.Unit.Functions;

public sealed class ProcessWorkItemFunctionTests
{
    private readonly Mock<IWorkItemDispatcher> dispatcher = new();

    private static QueueMessage Message(string id, string text, long dequeueCount) =>
        QueuesModelFactory.QueueMessage(id, "pop-receipt", text, dequeueCount);

    [Theory]
    [InlineData("""{"action":"generate_report","report_id":"r1"}""")]
    [InlineData("  eyJhY3Rpb24iOiJnZW5lcmF0ZV9yZXBvcnQifQ==\n")]
    [InlineData("")]
    public async Task Run_Message_PassesIdTextAndDequeueCountUnchanged(string text)
    {
        using var cancellation = new CancellationTokenSource();

        await new ProcessWorkItemFunction(dispatcher.Object).Run(Message("msg-123", text, 4), cancellation.Token);

        dispatcher.Verify(d => d.DispatchAsync(new ReceivedMessage("msg-123", text, 4), cancellation.Token), Times.Once);
        dispatcher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Run_DispatcherThrows_PropagatesSameException()
    {
        var failure = new RequestFailedException(503, "Server busy");
        dispatcher.Setup(d => d.DispatchAsync(It.IsAny<ReceivedMessage>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() =>
            new ProcessWorkItemFunction(dispatcher.Object).Run(Message("msg-1", "{}", 1), CancellationToken.None));

        Assert.Same(failure, thrown);
    }
}
