using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using FunctionsApp.DeadLetters;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.DeadLetters;

/// <summary>
/// Listing 10,000 parked messages through the dead-letter console's browser against Azurite: the
/// time of each page and the storage calls it made, then a look-up by id of the message furthest
/// round the ring. A measurement (category Benchmark, left out of scripts/test.sh): it fails only if
/// the listing skips or repeats a message; the times are printed, never asserted.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class DeadLetterListBenchmarks(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Parked = 10_000;
    private const int PageSize = 100;

    private static readonly string Progress = Path.Combine(RepositoryPaths.Root, "results", "dead-letter-list.txt");

    private void Report(string line)
    {
        output.WriteLine(line);
        Directory.CreateDirectory(Path.GetDirectoryName(Progress)!);
        File.AppendAllText(Progress, $"{DateTime.UtcNow:HH:mm:ss} {line}{Environment.NewLine}");
    }

    [Fact]
    public async Task ListAsync_TenThousandParked_TimeAndStorageCallsPerPage()
    {
        var calls = new CallCounter();
        await using var app = new InProcessApp(azurite, systemClock: true, configureServices: services =>
        {
            // The app's queue client again, with a policy that counts the requests it sends.
            var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
            options.AddPolicy(calls, HttpPipelinePosition.PerCall);
            services.AddSingleton(new QueueServiceClient(azurite.ConnectionString, options));
        });
        await app.DeadLetters.CreateIfNotExistsAsync();
        var parking = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Parked), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
            await app.DeadLetters.SendMessageAsync(
                $$$"""{"reason":"{{{(i % 4 == 0 ? "missing_field" : "retries_exhausted")}}}","description":"d","message_id":"{{{Guid.NewGuid()}}}","dequeue_count":5,"failed_at":"2026-12-06T05:00:00+00:00","action":"generate_report","original_body":"{\"action\":\"generate_report\",\"report_id\":\"r-{{{i}}}\"}"}""",
                cancellationToken: token));
        Report($"Parked {Parked} envelopes in {parking.Elapsed.TotalSeconds:F1} s.");

        var browser = app.GetRequiredService<IDeadLetterBrowser>();
        var seen = new List<string>();
        var times = new List<double>();
        var callsPerPage = new List<int>();
        DeadLetterCursor? cursor = null;
        var total = Stopwatch.StartNew();
        do
        {
            var before = calls.Count;
            var clock = Stopwatch.StartNew();
            var page = await browser.ListAsync(null, PageSize, cursor, CancellationToken.None);
            times.Add(clock.Elapsed.TotalMilliseconds);
            callsPerPage.Add(calls.Count - before);
            seen.AddRange(page.Messages.Select(m => m.Id));
            cursor = page.Continuation is { } token ? DeadLetterCursor.TryDecode(token) : null;
        }
        while (cursor is not null && times.Count < 200);

        Report($"Listed {seen.Count} messages ({seen.Distinct().Count()} distinct) in {times.Count} pages of {PageSize}, {total.Elapsed.TotalSeconds:F1} s in all.");
        Report($"Time per page: median {Percentile(times, 50):F0} ms, p95 {Percentile(times, 95):F0} ms, max {times.Max():F0} ms.");
        Report($"Storage calls per page: median {Percentile(callsPerPage.Select(c => (double)c).ToList(), 50):F0}, max {callsPerPage.Max()} " +
            $"(first page {callsPerPage[0]}: exists, properties, receives of 32, and one update per message read).");

        // A filtered page: up to 8 receives of 32 for 50 matches of the quarter that has the reason.
        var filteredBefore = calls.Count;
        var filteredClock = Stopwatch.StartNew();
        var filtered = await browser.ListAsync("missing_field", 50, null, CancellationToken.None);
        Report($"A missing_field page of 50: {filtered.Messages.Count} found in {filteredClock.Elapsed.TotalMilliseconds:F0} ms, {calls.Count - filteredBefore} storage calls.");

        // The worst look-up: the message the listing read first is now furthest round the ring.
        var findBefore = calls.Count;
        var findClock = Stopwatch.StartNew();
        var detail = await browser.GetAsync(seen[0], CancellationToken.None);
        Report($"Look-up by id, worst case (at most {QueueDeadLetterBrowser.MaxReadsPerFind} messages read, {QueueDeadLetterBrowser.FindBudget.TotalSeconds:F0} s): " +
            $"{(detail is null ? "not found within the bound" : "found")} in {findClock.Elapsed.TotalSeconds:F1} s, {calls.Count - findBefore} storage calls.");

        Assert.Equal(Parked, seen.Count);
        Assert.Equal(Parked, seen.Distinct().Count());
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Counts the operations a client starts (placed per call, so a retry is not counted again).</summary>
    private sealed class CallCounter : HttpPipelineSynchronousPolicy
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);
    }
}
