using System.Text.Json;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Reports;

/// <summary>The <c>generate_report</c> action: which report to build, with optional title and parameters.</summary>
/// <param name="ReportId">The report's id: safe as a blob name.</param>
/// <param name="Title">The title, or null for the default one.</param>
/// <param name="Parameters">A JSON object of Unicode text copied into the report, or null.</param>
public sealed record GenerateReportAction(string ReportId, string? Title, JsonElement? Parameters)
    : IAction<GenerateReportAction>
{
    public const int MaxReportIdLength = 128;
    public const int MaxTitleLength = 200;

    public static string Name => "generate_report";

    public static GenerateReportAction Read(ActionFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        // Every field's type first, then their values: a field of the wrong type is named before a missing one.
        var reportId = fields.ReadText("report_id");
        var title = fields.ReadText("title");
        var parameters = fields.ReadValue("parameters");

        // The id becomes a blob name, so it is held to characters that are safe in any path.
        var id = ActionFields.Required(reportId, "report_id");
        if (id.Length > MaxReportIdLength || !ReportIds.IsSafe(id))
        {
            throw new PermanentFailureException(FailureReasons.InvalidField,
                $"The field 'report_id' must be 1-{MaxReportIdLength} characters of A-Z a-z 0-9 . _ - and not contain '..'.");
        }

        ActionFields.Optional(title, "title", MaxTitleLength);
        if (parameters is { ValueKind: not JsonValueKind.Object })
        {
            throw new PermanentFailureException(FailureReasons.InvalidField, "The field 'parameters' must be a JSON object.");
        }

        if (parameters is { } values)
        {
            // Parameters are copied into the report; text that cannot be written would fail the
            // upload on every attempt instead of once, here.
            ActionFields.UnicodeJson(values, "parameters");
        }

        return new GenerateReportAction(id, title, parameters);
    }
}
