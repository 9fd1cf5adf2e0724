using FunctionsApp.Dispatch;

namespace FunctionsApp.Reports;

/// <summary>Builds a report document stamped with the generation time and the message it came from.</summary>
public static class ReportBuilder
{
    public static ReportDocument Build(GenerateReportCommand command, WorkItemContext context, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        var id = command.ReportId ?? throw new ArgumentException("The command has no report id; validate it first.", nameof(command));
        return new ReportDocument(
            id,
            string.IsNullOrWhiteSpace(command.Title) ? $"Report {id}" : command.Title,
            command.Parameters,
            generatedAt,
            context.MessageId);
    }
}
