using System.Diagnostics;
using FunctionsApp.Replay;
using Xunit.Abstractions;

namespace FunctionsApp.Benchmarks.Replay;

/// <summary>
/// How long replaying 10,000 parked messages takes against Azurite, call after call as an operator
/// would repeat it while messages remain. A measurement (category Benchmark, left out of
/// scripts/test.sh): it fails only if messages are lost; the times are printed, never asserted.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class ReplayThroughputBenchmarks(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Parked = 10_000;

    /// <summary>Each line also goes here as it happens (git-ignored, as the benchmark's results), since the test output shows only at the end.</summary>
    private static readonly string Progress = Path.Combine(RepositoryPaths.Root, "results", "replay-throughput.txt");

    private void Report(string line)
    {
        output.WriteLine(line);
        Directory.CreateDirectory(Path.GetDirectoryName(Progress)!);
        File.AppendAllText(Progress, $"{DateTime.UtcNow:HH:mm:ss} {line}{Environment.NewLine}");
    }

    [Fact]
    public async Task ReplayAsync_TenThousandParked_AllMoveAcrossRepeatedCalls()
    {
        // The real clock: the replay's time budget must run out for real.
        await using var app = new InProcessApp(azurite, systemClock: true);
        await app.DeadLetters.CreateIfNotExistsAsync();
        await app.WorkQueue.CreateIfNotExistsAsync();
        var parking = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Parked), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
            await app.DeadLetters.SendMessageAsync(
                $$$"""{"reason":"retries_exhausted","description":"d","message_id":"{{{Guid.NewGuid()}}}","dequeue_count":5,"failed_at":"2026-11-26T12:00:00+00:00","original_body":"{\"action\":\"generate_report\",\"report_id\":\"r-{{{i}}}\"}"}""",
                cancellationToken: token));
        Report($"Parked {Parked} envelopes in {parking.Elapsed.TotalSeconds:F1} s.");

        var replayer = app.GetRequiredService<IDeadLetterReplayer>();
        var budget = TimeSpan.FromSeconds(app.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReplayOptions>>().Value.TimeBudgetSeconds);
        var total = Stopwatch.StartNew();
        var moved = 0;
        for (var call = 1; call <= 20; call++)
        {
            var clock = Stopwatch.StartNew();
            var report = await replayer.ReplayAsync(null, Functions.ReplayDeadLettersFunction.MaxMax, CancellationToken.None);
            moved += report.Moved;
            // Reported, not asserted: a timing is a measurement (how far past the budget the
            // requests in flight carried the call), never a pass/fail rule.
            Report($"Call {call}: moved {report.Moved}, remaining {report.Remaining}, in {clock.Elapsed.TotalSeconds:F1} s " +
                $"({(clock.Elapsed - budget).TotalSeconds:F1} s past the {budget.TotalSeconds:F0} s budget).");
            if (report.Remaining == 0)
            {
                break;
            }
        }

        Report($"Replayed {moved} in {total.Elapsed.TotalSeconds:F1} s ({moved / total.Elapsed.TotalSeconds:F0} messages/s).");
        Assert.Equal(Parked, moved);
        Assert.Equal(Parked, (await app.WorkQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
