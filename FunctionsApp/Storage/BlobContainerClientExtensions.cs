using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FunctionsApp.Storage;

/// <summary>Write-once blobs, the building block of idempotent handlers.</summary>
public static class BlobContainerClientExtensions
{
    /// <summary>
    /// Uploads the blob unless one of that name exists (the first writer wins); creates the
    /// container when the service says it is missing. Returns false when the blob existed.
    /// </summary>
    public static async Task<bool> UploadIfAbsentAsync(
        this BlobContainerClient container,
        string blobName,
        BinaryData content,
        BlobHttpHeaders? headers,
        IDictionary<string, string>? metadata,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        var blob = container.GetBlobClient(blobName);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = headers,
            Metadata = metadata,
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            try
            {
                await blob.UploadAsync(content, upload, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Created on first use rather than checked on every write.
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await blob.UploadAsync(content, upload, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return false;
        }
    }
}
