using System.Text.Json.Serialization;

namespace FunctionsApp.Reports;

/// <summary>Source-generated JSON for the stored report, snake_case as the messages users send.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReportDocument))]
public sealed partial class ReportsJsonContext : JsonSerializerContext;
