using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FunctionsApp.Testing;

/// <summary>Lists blobs in assertions, the same way in every test.</summary>
public static class BlobContainerTestExtensions
{
    /// <summary>Every blob of the container, with its metadata; empty when the container does not exist.</summary>
    public static async Task<IReadOnlyList<BlobItem>> ListBlobsAsync(this BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var blobs = new List<BlobItem>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }))
            {
                blobs.Add(blob);
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }

        return blobs;
    }
}
