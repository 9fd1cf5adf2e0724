using FunctionsApp.Storage;

namespace FunctionsApp.Reports;

/// <summary>Where generated reports are stored.</summary>
public sealed class ReportsOptions
{
    public const string SectionName = "Reports";

    [StorageName("Reports:ContainerName", "container")]
    public string ContainerName { get; set; } = "reports";
}
