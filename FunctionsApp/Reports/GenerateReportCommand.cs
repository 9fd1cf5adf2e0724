using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Reports;

/// <summary>The <c>generate_report</c> message: which report to build, with optional title and parameters.</summary>
public sealed record GenerateReportCommand(string? ReportId, string? Title, JsonElement? Parameters)
    : IWorkCommand<GenerateReportCommand>
{
    public const int MaxReportIdLength = 128;
    public const int MaxTitleLength = 200;

    public static string Action => "generate_report";

    public static JsonTypeInfo<GenerateReportCommand> JsonTypeInfo => AppJsonContext.Outgoing.GenerateReportCommand;

    public void Validate()
    {
        // The id becomes a blob name, so it is held to characters that are safe in any path.
        var id = CommandFields.Required(ReportId, "report_id");
        if (id.Length > MaxReportIdLength || !ReportIds.IsSafe(id))
        {
            throw new PermanentFailureException(FailureReasons.InvalidField,
                $"The field 'report_id' must be 1-{MaxReportIdLength} characters of A-Z a-z 0-9 . _ - and not contain '..'.");
        }

        CommandFields.Optional(Title, "title", MaxTitleLength);
        if (Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw new PermanentFailureException(FailureReasons.InvalidField, "The field 'parameters' must be a JSON object.");
        }

        if (Parameters is { } parameters)
        {
            // Parameters are copied into the report; text that cannot be written would fail the
            // upload on every attempt instead of once, here.
            CommandFields.UnicodeJson(parameters, "parameters");
        }
    }
}
