using Microsoft.Extensions.Logging;

namespace FunctionsApp.Reports;

/// <summary>Report generation's log events (EventIds 2000-2099).</summary>
internal static partial class ReportsLog
{
    [LoggerMessage(EventId = 2000, EventName = "ReportStored", Level = LogLevel.Information,
        Message = "Stored report {ReportId}")]
    public static partial void ReportStored(ILogger logger, string reportId);

    [LoggerMessage(EventId = 2001, EventName = "ReportAlreadyExists", Level = LogLevel.Information,
        Message = "Report {ReportId} exists already; this delivery changes nothing")]
    public static partial void ReportAlreadyExists(ILogger logger, string reportId);
}
