using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// The queue baseline: what a hand-written Azure SDK loop does for generate_report, with no
/// Functions host, worker or gRPC in between. It fetches like the WebJobs listener (a batch of
/// <c>batchSize</c>, the next one when no more than <c>newBatchThreshold</c> are in flight), writes
/// the same report blob the app writes (<see cref="ReportWork"/>) and deletes the message.
/// </summary>
public sealed class IdealQueueDispatcher(QueueClient queue, BlobContainerClient reports, ListenerSettings settings, Completions completions)
{
    private static readonly TimeSpan EmptyQueueWait = TimeSpan.FromMilliseconds(100);
    private readonly SemaphoreSlim finished = new(0);
    private int inFlight;

    /// <summary>Receives and processes until cancelled, then waits for the messages in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tasks = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (Volatile.Read(ref inFlight) > settings.NewBatchThreshold)
                {
                    await finished.WaitAsync(cancellationToken);
                    continue;
                }

                var batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, TimeSpan.FromMinutes(10), cancellationToken)).Value;
                if (batch.Length == 0)
                {
                    // Nothing visible: the rest is in flight, or the producer has not sent more yet.
                    // A message finishing adds none to the queue, so only time helps; the listener
                    // waits as long after an empty fetch at first (then longer).
                    await Task.Delay(EmptyQueueWait, cancellationToken);
                    continue;
                }

                foreach (var message in batch)
                {
                    Interlocked.Increment(ref inFlight);
                    tasks.Add(ProcessAsync(message));
                }

                tasks.RemoveAll(t => t.IsCompletedSuccessfully);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what was received is finished below, as the listener does when it stops.
        }

        await Task.WhenAll(tasks);
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        try
        {
            var reportId = ReportWork.ReportIdOf(message.Body.ToString());
            await ReportWork.WriteAsync(reports, reportId, message.MessageId, CancellationToken.None);
            completions.Add(reportId);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            finished.Release();
        }
    }
}
