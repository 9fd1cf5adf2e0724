using Azure.Core;
using Azure.Storage.Queues;

namespace FunctionsApp.Tests.Integration;

/// <summary>Test cleanup against Azurite: each resource deleted on its own, never throwing over a test's result.</summary>
public sealed class AppStorageNamesIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task DeleteAsync_QueueServiceUnreachable_StillDeletesEveryContainerAndThrowsNothing()
    {
        var storage = new AppStorageNames();
        foreach (var container in new[] { storage.ReportsContainer, storage.DeadLetterContainer, storage.SentKeysContainer })
        {
            await azurite.Blobs.GetBlobContainerClient(container).CreateAsync();
        }

        // The queue deletes fail (nothing listens there; no retries, to keep the test short).
        var options = new QueueClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.Mode = RetryMode.Fixed;
        var unreachable = new QueueServiceClient(new Uri($"http://127.0.0.1:{FreePorts.Closed()}/devstoreaccount1"), options);

        var failures = await storage.DeleteAsync(unreachable, azurite.Blobs);

        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.StartsWith("queue ", f, StringComparison.Ordinal));
        foreach (var container in new[] { storage.ReportsContainer, storage.DeadLetterContainer, storage.SentKeysContainer })
        {
            Assert.False((await azurite.Blobs.GetBlobContainerClient(container).ExistsAsync()).Value,
                $"Expected container {container} deleted although the queue deletes before it failed.");
        }
    }
}
