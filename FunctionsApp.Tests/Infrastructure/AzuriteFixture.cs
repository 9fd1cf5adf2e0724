using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// Gives a test class the run's shared Azurite and clients for it. Tests make their own
/// uniquely named queues and containers (see <see cref="StorageNamesForTests"/>), so they can run
/// in parallel and in any order.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? server;

    public AzuriteServer Server => server ?? throw new InvalidOperationException("Azurite has not started.");

    public string ConnectionString => Server.ConnectionString;

    /// <summary>Queue client writing plain text, as the Azure SDK does by default.</summary>
    public QueueServiceClient Queues { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await AzuriteServer.SharedAsync();
        Queues = new QueueServiceClient(server.ConnectionString);
        Blobs = new BlobServiceClient(server.ConnectionString);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
