using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// The tests' Azurite on ports the system picks: each service is started on port 0 and the server
/// keeps the port Azurite says it listens on, so servers started at the same moment never collide.
/// </summary>
public sealed class AzuriteServerIntegrationTests
{
    [Fact]
    public async Task StartAsync_TwoAtOnce_EachServiceListensOnTheDistinctPortItReports()
    {
        var starts = new[] { AzuriteServer.StartAsync(), AzuriteServer.StartAsync() };
        try
        {
            var servers = await Task.WhenAll(starts);
            var ports = servers.SelectMany(s => new[] { s.BlobPort, s.QueuePort }).ToList();

            Assert.All(ports, port => Assert.True(port > 0, $"Expected a port the system picked; got {port}."));
            Assert.Equal(4, ports.Distinct().Count());
            foreach (var server in servers)
            {
                // The connection string is built from the reported ports: a wrong one would refuse these.
                var queue = new QueueServiceClient(server.ConnectionString).GetQueueClient(AppStorageNames.Unique("port"));
                await queue.CreateAsync();
                await queue.DeleteAsync();
                var container = new BlobServiceClient(server.ConnectionString).GetBlobContainerClient(AppStorageNames.Unique("port"));
                await container.CreateAsync();
                await container.DeleteAsync();
            }
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }
        }
    }
}
