using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace FunctionsApp.Json;

/// <summary>
/// Reads text out of parsed JSON that may hold an escaped lone surrogate (<c>"\ud800"</c>): valid
/// JSON, but no Unicode text, so System.Text.Json throws when asked for it as a string. Each caller
/// decides what such text means for it (a refusal, or a name to pass over).
/// </summary>
public static class JsonText
{
    /// <summary>The string value of a JSON string, or false when it is not Unicode text.</summary>
    public static bool TryGetString(JsonElement value, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException) when (value.ValueKind == JsonValueKind.String)
        {
            text = null;
            return false;
        }
    }

    /// <summary>The property's name, or false when it is not Unicode text.</summary>
    public static bool TryGetName(JsonProperty property, [NotNullWhen(true)] out string? name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = null;
            return false;
        }
    }

    /// <summary>True when every string and property name in <paramref name="value"/>, at any depth, is Unicode text.</summary>
    public static bool IsAllText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TryGetString(value, out _),
        JsonValueKind.Object => value.EnumerateObject().All(property => TryGetName(property, out _) && IsAllText(property.Value)),
        JsonValueKind.Array => value.EnumerateArray().All(IsAllText),
        _ => true,
    };
}
