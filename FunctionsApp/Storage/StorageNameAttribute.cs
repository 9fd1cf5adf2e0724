using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace FunctionsApp.Storage;

/// <summary>
/// Validates a setting that names a queue or a blob container: required, and a name Azure Storage
/// accepts. The error names the setting as the user writes it, so a bad value at start says what to fix.
/// </summary>
/// <param name="setting">The setting as configured, e.g. <c>Reports:ContainerName</c>.</param>
/// <param name="kind">What it names: <c>queue</c> or <c>container</c>.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed partial class StorageNameAttribute(string setting, string kind) : ValidationAttribute
{
    public string Setting { get; } = setting;

    public string Kind { get; } = kind;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        var members = validationContext.MemberName is { } member ? new[] { member } : null;
        if (value is not string name || string.IsNullOrWhiteSpace(name))
        {
            return new ValidationResult($"The setting {Setting} is required.", members);
        }

        return Pattern().IsMatch(name)
            ? ValidationResult.Success
            : new ValidationResult($"The setting {Setting} must be a valid {Kind} name: 3-63 lowercase letters, digits and single hyphens.", members);
    }

    [GeneratedRegex(StorageNames.QueueOrContainerPattern, RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
