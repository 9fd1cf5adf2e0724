using System.Text.Json;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>host.json's fetch settings for the queue listener, which the ideal loop copies.</summary>
public sealed record ListenerSettings(int BatchSize, int NewBatchThreshold)
{
    /// <summary>Messages in flight at most: a batch fetched while the threshold's worth still run.</summary>
    public int Concurrency => BatchSize + NewBatchThreshold;

    public static ListenerSettings FromHostJson()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionsAppOutput.HostJsonPath));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        return new ListenerSettings(queues.GetProperty("batchSize").GetInt32(), queues.GetProperty("newBatchThreshold").GetInt32());
    }

    public override string ToString() => BenchmarkReport.Invariant(
        $"batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold} (up to {Concurrency} in flight)");
}
