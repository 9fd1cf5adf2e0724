using FunctionsApp.Dispatch;

namespace FunctionsApp.Reports;

/// <summary>Builds the content of a report from its command.</summary>
public interface IReportBuilder
{
    ReportDocument Build(GenerateReportCommand command, WorkItemContext context);
}
