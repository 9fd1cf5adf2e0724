using System.Text.Json;
using FunctionsApp.Diagnostics;
using FunctionsApp.Json;

namespace FunctionsApp.Dispatch;

/// <summary>
/// An action's fields, read straight from the message object the dispatcher parsed (no second
/// parse), with the checks every action shares, so every action reports bad fields the same way.
/// </summary>
/// <remarks>
/// Actions read their few fields here rather than through a source-generated serializer: a
/// serializer would read the message's bytes a second time and hand back nullable fields that
/// need checking again; here an action checks each field once and holds non-nullable values.
/// Field names are matched exactly (case-sensitive) and unknown fields are ignored, as the
/// serializer did; the strict parse has already refused a name given twice.
/// </remarks>
/// <param name="action">The action the fields belong to, for descriptions.</param>
/// <param name="message">The message object.</param>
public sealed class ActionFields(string action, JsonElement message)
{
    /// <summary>
    /// The text of a string field; null when it is absent or JSON null. Throws <c>invalid_field</c>
    /// when it holds another JSON type, or a string that is not Unicode text (an escaped lone
    /// surrogate, <c>"\ud800"</c>, which could never be written out again).
    /// </summary>
    public string? ReadText(string field)
    {
        if (!message.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw WrongType(field);
        }

        return JsonText.TryGetString(value, out var text)
            ? text
            : throw new PermanentFailureException(FailureReasons.InvalidField, $"The field '{field}' holds text that is not valid Unicode.");
    }

    /// <summary>
    /// Any JSON value; null when it is absent or JSON null. The value is a copy (of the bytes, not
    /// a new parse), so it outlives the message's document.
    /// </summary>
    public JsonElement? ReadValue(string field) =>
        message.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value.Clone() : null;

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
    public static string MaxLength(string value, string field, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > maxLength)
        {
            throw new PermanentFailureException(FailureReasons.InvalidField,
                $"The field '{field}' is {value.Length} characters long; at most {maxLength} are allowed.");
        }

        return value;
    }

    /// <summary>Checks an optional text field's length; null passes.</summary>
    public static string? Optional(string? value, string field, int maxLength) =>
        value is null ? null : MaxLength(value, field, maxLength);

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

    private PermanentFailureException WrongType(string field) =>
        new(FailureReasons.InvalidField, $"The field {CallerText.Quote(field)} has the wrong type for action {CallerText.Quote(action)}.");
}
