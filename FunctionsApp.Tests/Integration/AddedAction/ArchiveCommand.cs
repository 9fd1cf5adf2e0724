using System.Text.Json.Serialization.Metadata;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>Step 1 of adding an action: the command, with its action name, JSON metadata and validation.</summary>
public sealed record ArchiveCommand(string? ReportId) : IWorkCommand<ArchiveCommand>
{
    public static string Action => "archive_report";

    public static JsonTypeInfo<ArchiveCommand> JsonTypeInfo => AddedActionJsonContext.Default.ArchiveCommand;

    public void Validate() => CommandFields.Text(CommandFields.Required(ReportId, "report_id"), "report_id", 128);
}
