using System.Text.Json;
using FunctionsApp.Json;

namespace FunctionsApp.Dispatch;

/// <summary>The field checks commands share, so every action reports bad fields the same way.</summary>
public static class CommandFields
{
    /// <summary>Returns the value, or throws <c>missing_field</c> when it is absent or blank.</summary>
    public static string Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new PermanentFailureException(FailureReasons.MissingField, $"The field '{field}' is required.");
        }

        return value;
    }

    /// <summary>Returns the value, or throws <c>invalid_field</c> when it is longer than <paramref name="maxLength"/>.</summary>
    public static string Text(string value, string field, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > maxLength)
        {
            throw new PermanentFailureException(FailureReasons.InvalidField,
                $"The field '{field}' is {value.Length} characters long; at most {maxLength} are allowed.");
        }

        return value;
    }

    /// <summary>
    /// Throws <c>invalid_field</c> when a JSON value holds a string or property name that is not
    /// Unicode text: an escaped lone surrogate ("\ud800") is valid JSON, but cannot be read as
    /// text, so writing the value out again would fail on every attempt.
    /// </summary>
    public static void UnicodeJson(JsonElement value, string field)
    {
        if (!JsonText.IsAllText(value))
        {
            throw new PermanentFailureException(FailureReasons.InvalidField, $"The field '{field}' holds text that is not valid Unicode.");
        }
    }

    /// <summary>Checks an optional text field; null passes.</summary>
    public static string? Optional(string? value, string field, int maxLength) =>
        value is null ? null : Text(value, field, maxLength);
}
