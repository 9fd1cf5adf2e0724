using FunctionsApp.Dispatch;

namespace FunctionsApp.Reports;

/// <summary>Builds a report document stamped with the generation time and the message it came from.</summary>
public static class ReportBuilder
{
    public static ReportDocument Build(GenerateReportAction action, ActionContext context, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(context);
        return new ReportDocument(
            action.ReportId,
            string.IsNullOrWhiteSpace(action.Title) ? $"Report {action.ReportId}" : action.Title,
            action.Parameters,
            generatedAt,
            context.MessageId);
    }
}
