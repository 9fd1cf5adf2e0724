using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace TemplateApp;

/// <summary>
/// The QueueTrigger template's function on FunctionsApp's work queue, doing generate_report the
/// shortest way: read report_id (and title and parameters, if sent) and upload the report blob
/// FunctionsApp writes for the same message (same name, bytes, content type and metadata). No
/// validation, no action routing, no idempotency (the last delivery's upload wins), no
/// dead-lettering: a bad message throws until the platform moves it to the poison queue.
/// </summary>
public sealed class QueueReport(BlobContainerClient reports, ILogger<QueueReport> logger)
{
    // FunctionsApp's report JSON: snake_case, nulls left out, its relaxed escaping.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Function(nameof(QueueReport))]
    public async Task Run([QueueTrigger("%WorkItemsQueueName%", Connection = "AzureWebJobsStorage")] QueueMessage message)
    {
        using var body = JsonDocument.Parse(message.MessageText);
        var root = body.RootElement;
        var reportId = root.GetProperty("report_id").GetString()!;
        var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        JsonElement? parameters = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;
        var report = new Report(reportId, string.IsNullOrWhiteSpace(title) ? $"Report {reportId}" : title, parameters, DateTimeOffset.UtcNow, message.MessageId);

        await reports.GetBlobClient(reportId + ".json").UploadAsync(
            BinaryData.FromObjectAsJson(report, Json),
            new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
                Metadata = new Dictionary<string, string>
                {
                    ["source_message_id"] = message.MessageId,
                    ["generated_at"] = report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
                },
            });

        // The template logs the message text here; caller text stays out of our logs, so a fixed line.
        logger.LogInformation("The report function wrote a report.");
    }

    private sealed record Report(string ReportId, string Title, JsonElement? Parameters, DateTimeOffset GeneratedAt, string SourceMessageId);
}
