using System.Text.Json;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// The queue listener's fetch settings, which the ideal loop copies: host.json's, or others the
/// latency grid tries (<see cref="Apply"/> puts them over host.json's for our host's listener).
/// </summary>
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

    /// <summary>Sets these over host.json's <c>extensions:queues</c>, as the listener's option override.</summary>
    public void Apply(Microsoft.Azure.WebJobs.Host.QueuesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.BatchSize = BatchSize;
        options.NewBatchThreshold = NewBatchThreshold;
    }

    public override string ToString() => BenchmarkReport.Invariant(
        $"batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold} (up to {Concurrency} in flight)");
}
