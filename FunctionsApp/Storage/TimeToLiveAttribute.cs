using System.ComponentModel.DataAnnotations;

namespace FunctionsApp.Storage;

/// <summary>
/// Validates a message time-to-live in seconds: -1 (the message never expires) or a positive number.
/// The queue service's own default, used when a sender gives none, is 7 days: a parked message or
/// a notification would then be deleted without a trace, so the app always sends one.
/// </summary>
/// <param name="setting">The setting as configured, e.g. <c>Dispatch:DeadLetterTimeToLiveSeconds</c>.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class TimeToLiveAttribute(string setting) : ValidationAttribute
{
    /// <summary>The value that keeps a message until someone removes it.</summary>
    public const int Never = -1;

    public string Setting { get; } = setting;

    /// <summary>The time-to-live the queue service is sent for <paramref name="seconds"/> (-1 stays -1: never).</summary>
    public static TimeSpan ToTimeSpan(int seconds) => TimeSpan.FromSeconds(seconds);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return value is int seconds && (seconds == Never || seconds > 0)
            ? ValidationResult.Success
            : new ValidationResult(
                $"The setting {Setting} must be -1 (messages never expire) or a number of seconds above 0.",
                validationContext.MemberName is { } member ? [member] : null);
    }
}
