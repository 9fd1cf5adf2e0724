namespace FunctionsApp.Reports;

/// <summary>Keeps generated reports, at most one per report id.</summary>
public interface IReportStore
{
    /// <summary>
    /// Stores the report unless one with the same id exists already; returns false in that case.
    /// Queues deliver at least once, so the second delivery must be a no-op, not a failure.
    /// </summary>
    Task<bool> SaveIfAbsentAsync(ReportDocument report, CancellationToken cancellationToken);
}
