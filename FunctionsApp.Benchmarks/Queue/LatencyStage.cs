
namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Azure-like storage latency between a side and Azurite: a <see cref="SwitchableTcpProxy"/> in front
/// of each of Azurite's ports, delaying every request by <see cref="StorageLatency.Next"/>. Whoever is
/// given <see cref="ConnectionString"/> (the worker and our host's listener alike) goes through it.
/// </summary>
public sealed class LatencyStage : IAsyncDisposable
{
    private readonly SwitchableTcpProxy blob;
    private readonly SwitchableTcpProxy queue;

    public LatencyStage(AzuriteServer azurite, StorageLatency latency)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        ArgumentNullException.ThrowIfNull(latency);
        var (blobPort, queuePort) = azurite.OwnPorts("the latency stage forwards to its ports");
        blob = new SwitchableTcpProxy(blobPort, up: true, latency.Next);
        queue = new SwitchableTcpProxy(queuePort, up: true, latency.Next);
        Latency = latency;
    }

    public StorageLatency Latency { get; }

    /// <summary>Azurite's account behind the stage's ports.</summary>
    public string ConnectionString => AzuriteServer.BuildConnectionString(blob.Port, queue.Port);

    public async ValueTask DisposeAsync()
    {
        await blob.DisposeAsync();
        await queue.DisposeAsync();
    }
}
