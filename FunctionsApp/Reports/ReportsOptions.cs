using System.ComponentModel.DataAnnotations;
using FunctionsApp.Storage;

namespace FunctionsApp.Reports;

/// <summary>Where generated reports are stored.</summary>
public sealed class ReportsOptions
{
    public const string SectionName = "Reports";

    [Required(ErrorMessage = "The setting Reports:ContainerName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The setting Reports:ContainerName must be a valid container name: 3-63 lowercase letters, digits and single hyphens.")]
    public string ContainerName { get; set; } = "reports";
}
