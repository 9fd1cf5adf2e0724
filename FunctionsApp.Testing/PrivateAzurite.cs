using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FunctionsApp.Testing;

/// <summary>
/// An Azurite of one test's own, persisting to a temporary directory: for tests that load it with
/// thousands of messages (the in-memory one stalls after a few thousand deletes) or stop it. Disposing
/// it stops Azurite and deletes its data.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private readonly string dataDirectory;

    private PrivateAzurite(string dataDirectory, AzuriteServer server)
    {
        this.dataDirectory = dataDirectory;
        Server = server;
        Fixture = AzuriteFixture.For(server);
    }

    public AzuriteServer Server { get; }

    /// <summary>The same Azurite as a fixture, for <see cref="AppUnderTest"/>.</summary>
    public AzuriteFixture Fixture { get; }

    public QueueServiceClient Queues => Fixture.Queues;

    public BlobServiceClient Blobs => Fixture.Blobs;

    public static async Task<PrivateAzurite> StartAsync()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "functionsapp-azurite-" + Guid.NewGuid().ToString("N"));
        try
        {
            return new PrivateAzurite(dataDirectory, await AzuriteServer.StartAsync(dataDirectory));
        }
        catch
        {
            DeleteDirectory(dataDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        DeleteDirectory(dataDirectory);
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temporary directory; the OS cleans it up if a file is still held.
        }
    }
}
