using System.Text.Json;

namespace FunctionsApp.Reports;

/// <summary>A generated report, as stored: one JSON blob per report id.</summary>
public sealed record ReportDocument(
    string ReportId,
    string Title,
    JsonElement? Parameters,
    DateTimeOffset GeneratedAt,
    string SourceMessageId);
