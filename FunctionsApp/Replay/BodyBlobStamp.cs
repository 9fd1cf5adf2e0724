using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Replay;

/// <summary>
/// The first look at a parked message's body blob, the same for a replay and for the console: the
/// blob must exist and carry the stamp the dead-letter sink gave it for this very message.
/// </summary>
internal static class BodyBlobStamp
{
    /// <summary>The blob's properties, or the refusal code and the sentence that say why it is not the message's body.</summary>
    public static async Task<(BlobProperties? Properties, string Refusal, string Detail)> CheckAsync(
        BlobClient blob, string parkedId, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (null, ReplayRefusals.BodyBlobMissing, $"its body blob {blob.Name} does not exist.");
        }

        if (!properties.Metadata.TryGetValue(QueueDeadLetterSink.ParkedMessageIdMetadata, out var stamp) || stamp != parkedId)
        {
            return (null, ReplayRefusals.BodyBlobNotOurs, $"its body blob {blob.Name} does not carry the app's stamp for this message.");
        }

        return (properties, "", "");
    }
}
