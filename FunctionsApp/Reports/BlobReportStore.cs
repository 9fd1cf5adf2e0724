using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Json;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Reports;

/// <summary>Stores each report as <c>&lt;report_id&gt;.json</c> in a blob container.</summary>
public sealed class BlobReportStore(BlobServiceClient blobs, IOptions<ReportsOptions> options) : IReportStore
{
    public const string ContentType = "application/json; charset=utf-8";

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(options.Value.ContainerName);

    public static string BlobName(string reportId) => reportId + ".json";

    // The first writer wins: a redelivered message finds the blob and leaves it alone, so the
    // report keeps the time and message id of its first generation.
    public Task<bool> SaveIfAbsentAsync(ReportDocument report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        return container.UploadIfAbsentAsync(
            BlobName(report.ReportId),
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(report, OutgoingJson.Of(ReportsJsonContext.Default.ReportDocument))),
            new BlobHttpHeaders { ContentType = ContentType },
            new Dictionary<string, string>
            {
                ["source_message_id"] = report.SourceMessageId,
                ["generated_at"] = report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
            },
            cancellationToken);
    }
}
