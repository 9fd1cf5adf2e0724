using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>Writes dead-letter envelopes as JSON to an Azure Storage queue.</summary>
public sealed class QueueDeadLetterSink(QueueServiceClient queues, IOptions<DispatchOptions> options) : IDeadLetterSink
{
    private readonly QueueClient queue = queues.GetQueueClient(options.Value.DeadLetterQueueName);

    public Task SendAsync(DeadLetterEnvelope envelope, CancellationToken cancellationToken) =>
        queue.SendCreatingQueueAsync(JsonSerializer.Serialize(envelope, AppJsonContext.Readable.DeadLetterEnvelope), cancellationToken);
}
