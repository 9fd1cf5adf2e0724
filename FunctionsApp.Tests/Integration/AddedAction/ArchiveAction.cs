using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>Step 1 of adding an action: the action record, with its name and how it reads and checks its fields.</summary>
public sealed record ArchiveAction(string ReportId) : IAction<ArchiveAction>
{
    public static string Name => "archive_report";

    public static ArchiveAction Read(ActionFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new ArchiveAction(ActionFields.MaxLength(ActionFields.Required(fields.ReadText("report_id"), "report_id"), "report_id", 128));
    }
}
