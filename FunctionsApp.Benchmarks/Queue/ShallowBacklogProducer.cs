using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Queues;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Keeps a side supplied without letting a backlog build up: it enqueues the next generate_report
/// message whenever fewer than <paramref name="depth"/> are outstanding (sent, report not yet
/// written), and notes when each was sent, for enqueue-to-report latency.
/// </summary>
public sealed class ShallowBacklogProducer(QueueClient queue, Completions completions, int depth)
{
    private readonly ConcurrentDictionary<string, long> sentAt = new(StringComparer.Ordinal);
    private int sent;

    public int Sent => Volatile.Read(ref sent);

    /// <summary>When the message of <paramref name="reportId"/> was handed to the queue client (a <see cref="Stopwatch"/> timestamp).</summary>
    public long SentAt(string reportId) => sentAt[reportId];

    /// <summary>Sends from <paramref name="senders"/> loops until cancelled; a few senders keep up with the fastest side.</summary>
    public Task RunAsync(int senders, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(_ => SendLoopAsync(cancellationToken)));

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Sent - completions.Count >= depth)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }

            var n = Interlocked.Increment(ref sent);
            var reportId = ReportWork.ReportId(n);
            sentAt[reportId] = Stopwatch.GetTimestamp();
            await queue.SendMessageAsync(ReportWork.Message(n), CancellationToken.None);
        }
    }
}
