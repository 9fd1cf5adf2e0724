using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Notifications;

/// <summary>
/// One empty blob per sent idempotency key. Keys are free text, so the blob name is their
/// SHA-256: always a valid name, and no key text in storage listings.
/// </summary>
public sealed class BlobSentNotificationLog(BlobServiceClient blobs, IOptions<NotificationsOptions> options) : ISentNotificationLog
{
    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(options.Value.SentKeysContainerName);

    public static string BlobName(string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));

    public async Task<bool> ContainsAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            return (await container.GetBlobClient(BlobName(idempotencyKey)).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    public Task AddAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        container.UploadIfAbsentAsync(BlobName(idempotencyKey), BinaryData.Empty, headers: null, metadata: null, cancellationToken);
}
