using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Xunit;

namespace FunctionsApp.Testing;

/// <summary>
/// Gives a test class the run's shared Azurite and clients for it. Tests make their own
/// uniquely named queues and containers (see <see cref="AppStorageNames"/>), so they can run
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

    /// <summary>
    /// A fixture over an Azurite the caller started and owns, for tests that need one to themselves
    /// (to load it, or to stop it); the caller disposes the server.
    /// </summary>
    public static AzuriteFixture For(AzuriteServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var fixture = new AzuriteFixture();
        fixture.Use(server);
        return fixture;
    }

    public async Task InitializeAsync() => Use(await AzuriteServer.SharedAsync());

    public Task DisposeAsync() => Task.CompletedTask;

    private void Use(AzuriteServer azurite)
    {
        server = azurite;
        Queues = new QueueServiceClient(azurite.ConnectionString);
        Blobs = new BlobServiceClient(azurite.ConnectionString);
    }
}
