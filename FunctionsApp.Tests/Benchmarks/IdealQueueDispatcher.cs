using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Reports;

namespace FunctionsApp.Tests.Benchmarks;

/// <summary>
/// The queue baseline: what a hand-written Azure SDK loop does for generate_report, with no
/// Functions host, worker or gRPC in between. It fetches like the WebJobs listener (a batch of
/// <c>batchSize</c>, the next one when no more than <c>newBatchThreshold</c> are in flight), writes
/// the same report blob the app writes (same bytes, headers, metadata and If-None-Match) and
/// deletes the message.
/// </summary>
public sealed class IdealQueueDispatcher(QueueClient queue, BlobContainerClient reports, int batchSize, int newBatchThreshold)
{
    private readonly SemaphoreSlim finished = new(0);
    private readonly System.Diagnostics.Stopwatch clock = new();
    private int inFlight;
    private int processed;
    private TimeSpan[] completedAt = [];

    public int Processed => Volatile.Read(ref processed);

    /// <summary>When the n-th message (1-based) was done, counted from the start of the drain.</summary>
    public TimeSpan CompletedAt(int n) => completedAt[n - 1];

    /// <summary>Runs until <paramref name="expected"/> messages are processed and deleted.</summary>
    public async Task DrainAsync(int expected, CancellationToken cancellationToken)
    {
        var tasks = new List<Task>(expected);
        completedAt = new TimeSpan[expected];
        clock.Start();
        while (Processed < expected)
        {
            if (Volatile.Read(ref inFlight) > newBatchThreshold)
            {
                await finished.WaitAsync(cancellationToken);
                continue;
            }

            var batch = (await queue.ReceiveMessagesAsync(batchSize, TimeSpan.FromMinutes(10), cancellationToken)).Value;
            if (batch.Length == 0)
            {
                // Nothing visible: the rest is in flight (or the backlog is gone).
                await Task.WhenAny(finished.WaitAsync(cancellationToken), Task.Delay(100, cancellationToken));
                continue;
            }

            foreach (var message in batch)
            {
                Interlocked.Increment(ref inFlight);
                tasks.Add(ProcessAsync(message, cancellationToken));
            }
        }

        await Task.WhenAll(tasks);
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var reportId = ReadReportId(message.Body);
            var report = new ReportDocument(reportId, $"Report {reportId}", null, DateTimeOffset.UtcNow, message.MessageId);
            var upload = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = BlobReportStore.ContentType },
                Metadata = new Dictionary<string, string>
                {
                    ["source_message_id"] = report.SourceMessageId,
                    ["generated_at"] = report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
                },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            };
            await reports.GetBlobClient(BlobReportStore.BlobName(reportId)).UploadAsync(
                BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(report, AppJsonContext.Readable.ReportDocument)), upload, cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            var done = Interlocked.Increment(ref processed);
            if (done <= completedAt.Length)
            {
                completedAt[done - 1] = clock.Elapsed;
            }
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            finished.Release();
        }
    }

    private static string ReadReportId(BinaryData body)
    {
        using var document = JsonDocument.Parse(body.ToMemory());
        return document.RootElement.GetProperty("report_id").GetString()
            ?? throw new InvalidOperationException("A benchmark message has no report_id.");
    }
}
