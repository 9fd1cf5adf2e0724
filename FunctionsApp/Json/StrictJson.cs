using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace FunctionsApp.Json;

/// <summary>
/// How the app parses JSON it receives: a property name twice in one object is refused, at any
/// depth, rather than guessed at (System.Text.Json would otherwise keep the last value).
/// </summary>
public static class StrictJson
{
    /// <summary>Duplicate property names refused; depth limit and everything else as the defaults (64 levels).</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Finds the first property name that appears twice in one object of <paramref name="element"/>,
    /// with the JSON path of that object (<c>$</c>, <c>$.parameters</c>, <c>$.items[2]</c>). The
    /// reader's own error says which name but not where, and only in prose.
    /// </summary>
    public static bool TryFindDuplicate(JsonElement element, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? path) =>
        TryFindDuplicate(element, "$", out name, out path);

    private static bool TryFindDuplicate(JsonElement element, string at, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string current;
                    try
                    {
                        current = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        // A name that is no text (an escaped lone surrogate) is reported by the
                        // field checks, if a field is read from there at all.
                        continue;
                    }

                    if (!names.Add(current))
                    {
                        (name, path) = (current, at);
                        return true;
                    }

                    if (TryFindDuplicate(property.Value, at + "." + current, out name, out path))
                    {
                        return true;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (TryFindDuplicate(item, string.Create(CultureInfo.InvariantCulture, $"{at}[{index++}]"), out name, out path))
                    {
                        return true;
                    }
                }

                break;
        }

        (name, path) = (null, null);
        return false;
    }
}
