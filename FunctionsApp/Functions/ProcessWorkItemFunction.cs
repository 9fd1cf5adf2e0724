using Azure.Storage.Queues.Models;
using FunctionsApp.Dispatch;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>The work queue's trigger: hands each message to the dispatcher.</summary>
public sealed class ProcessWorkItemFunction(ActionDispatcher dispatcher)
{
    /// <summary>The function name is a deployment identifier (logs, metrics, host settings): keep it.</summary>
    public const string Name = "ProcessWorkItem";

    // Bound to QueueMessage rather than a POCO so that parsing, and its failures, happen in our code.
    [Function(Name)]
    public Task Run(
        [QueueTrigger("%WorkItemsQueueName%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return dispatcher.DispatchAsync(new ReceivedMessage(message.MessageId, message.MessageText, message.DequeueCount), cancellationToken);
    }
}
