using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Reports;

/// <summary>Stores each report as <c>&lt;report_id&gt;.json</c> in a blob container.</summary>
public sealed class BlobReportStore(BlobServiceClient blobs, IOptions<ReportsOptions> options) : IReportStore
{
    public const string ContentType = "application/json; charset=utf-8";

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(options.Value.ContainerName);

    public static string BlobName(string reportId) => reportId + ".json";

    public async Task<bool> SaveIfAbsentAsync(ReportDocument report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var blob = container.GetBlobClient(BlobName(report.ReportId));
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = ContentType },
            Metadata = new Dictionary<string, string>
            {
                ["source_message_id"] = report.SourceMessageId,
                ["generated_at"] = report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
            },
            // The first writer wins: a redelivered message finds the blob and leaves it alone,
            // so the report keeps the time and message id of its first generation.
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(report, AppJsonContext.Readable.ReportDocument));
        try
        {
            try
            {
                await blob.UploadAsync(content, upload, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Created on first use rather than checked on every message.
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
