using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Queues;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Keeps a side supplied without letting a backlog build up: it enqueues the next generate_report
/// message whenever fewer than <paramref name="depth"/> are outstanding (sent, report not yet
/// written), and notes when each was sent, for enqueue-to-report latency. After a drain of messages
/// 1..<paramref name="drained"/> on the same side, it carries on from the next number, and those
/// <paramref name="drained"/> reports written do not count as its own.
/// </summary>
public sealed class ShallowBacklogProducer(QueueClient queue, Completions completions, int depth, int drained = 0)
{
    private readonly ConcurrentDictionary<string, long> sentAt = new(StringComparer.Ordinal);
    private int sent;

    public int Sent => Volatile.Read(ref sent);

    /// <summary>Whether <paramref name="reportId"/>'s message is one this producer sent.</summary>
    public bool Produced(string reportId) => sentAt.ContainsKey(reportId);

    /// <summary>When the message of <paramref name="reportId"/> was handed to the queue client (a <see cref="Stopwatch"/> timestamp).</summary>
    public long SentAt(string reportId) => sentAt[reportId];

    /// <summary>Sends from <paramref name="senders"/> loops until cancelled; a few senders keep up with the fastest side.</summary>
    public Task RunAsync(int senders, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(_ => SendLoopAsync(cancellationToken)));

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Sent - (completions.Count - drained) >= depth)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }

            var n = drained + Interlocked.Increment(ref sent);
            var reportId = ReportWork.ReportId(n);
            sentAt[reportId] = Stopwatch.GetTimestamp();
            await queue.SendMessageAsync(ReportWork.Message(n), CancellationToken.None);
        }
    }
}
