using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>The benchmark's queue and reports container on one Azurite, prepared and checked the same way for every side.</summary>
public sealed record QueueStorage(QueueClient Queue, BlobContainerClient Reports)
{
    /// <summary>Warms Azurite up, then creates the work queue and the reports container and enqueues messages 1..<paramref name="backlog"/>.</summary>
    public static async Task<QueueStorage> PrepareAsync(AzuriteServer azurite, int backlog)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var blobs = new BlobServiceClient(azurite.ConnectionString);

        // Warm-up: every kind of request the sides make, so none pays Azurite's (or the SDK's) first calls.
        var warmQueue = queues.GetQueueClient("bench-warm-up");
        var warmContainer = blobs.GetBlobContainerClient("bench-warm-up");
        await warmQueue.CreateIfNotExistsAsync();
        await warmContainer.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            await warmQueue.SendMessageAsync("warm-up", token);
            await warmContainer.GetBlobClient(i.ToString(CultureInfo.InvariantCulture)).UploadAsync(BinaryData.FromString("{}"), token);
        });
        while ((await warmQueue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                await warmQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        var storage = new QueueStorage(queues.GetQueueClient(QueueSide.QueueName), blobs.GetBlobContainerClient(QueueSide.ContainerName));
        await storage.Queue.CreateIfNotExistsAsync();
        await storage.Reports.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(1, backlog), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, token) =>
            await storage.Queue.SendMessageAsync(ReportWork.Message(n), token));
        return storage;
    }

    public async Task WaitForEmptyQueueAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        int left;
        while ((left = (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount) > 0)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Expected the work queue to be empty within {timeout.TotalSeconds} s; {left} message(s) are left.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Every side must have done the same work: one report per message, no message left.</summary>
    public async Task EnsureDrainedAsync(int expected, string who)
    {
        var blobs = 0;
        await foreach (var page in Reports.GetBlobsAsync().AsPages())
        {
            blobs += page.Values.Count;
        }

        var left = (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        if (blobs != expected || left != 0)
        {
            throw new InvalidOperationException($"The {who} drain is incomplete: {blobs} of {expected} report blobs, {left} message(s) left in the queue.");
        }
    }
}
