using FunctionsApp.Dispatch;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Reports;

/// <summary>Handles <c>generate_report</c>: builds the report and stores it once.</summary>
public sealed class GenerateReportHandler(IReportStore store, TimeProvider time, AppMetrics metrics, ILogger<GenerateReportHandler> logger)
    : IActionHandler<GenerateReportAction>
{
    public async Task HandleAsync(GenerateReportAction action, ActionContext context, CancellationToken cancellationToken)
    {
        var report = ReportBuilder.Build(action, context, time.GetUtcNow());
        if (await store.SaveIfAbsentAsync(report, cancellationToken).ConfigureAwait(false))
        {
            ReportsLog.ReportStored(logger, report.ReportId);
        }
        else
        {
            ReportsLog.ReportAlreadyExists(logger, report.ReportId);
            metrics.ReportAlreadyExisting();
        }
    }
}
