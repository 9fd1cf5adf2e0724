using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Json;
using FunctionsApp.Reports;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// The generate_report work as the baselines do it by hand, with no dispatcher in between: the
/// message the benchmark enqueues, and the report blob the app writes for it (same bytes, headers,
/// metadata and If-None-Match).
/// </summary>
public static class ReportWork
{
    /// <summary>The n-th benchmark message; its report id is <see cref="ReportId"/>(n).</summary>
    public static string Message(int n) => BenchmarkReport.Invariant($$"""{"action":"generate_report","report_id":"{{ReportId(n)}}"}""");

    public static string ReportId(int n) => BenchmarkReport.Invariant($"bench-{n:D6}");

    public static string ReportIdOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("report_id").GetString()
            ?? throw new InvalidOperationException("A benchmark message has no report_id.");
    }

    public static async Task WriteAsync(BlobContainerClient reports, string reportId, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var report = new ReportDocument(reportId, $"Report {reportId}", null, DateTimeOffset.UtcNow, messageId);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = BlobReportStore.ContentType },
            Metadata = new Dictionary<string, string>
            {
                ["source_message_id"] = report.SourceMessageId,
                ["generated_at"] = report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
            },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        await reports.GetBlobClient(BlobReportStore.BlobName(reportId)).UploadAsync(
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(report, OutgoingJson.Of(ReportsJsonContext.Default.ReportDocument))), upload, cancellationToken);
    }
}
