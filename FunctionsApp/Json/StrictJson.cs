using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace FunctionsApp.Json;

/// <summary>
/// How the app parses JSON it receives: a property name twice in one object is refused, at any
/// depth, rather than guessed at (System.Text.Json would otherwise keep the last value).
/// </summary>
public static class StrictJson
{
    /// <summary>Duplicate property names refused; depth limit and everything else as the defaults (64 levels).</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    /// <summary>Parses <paramref name="text"/> strictly.</summary>
    /// <exception cref="DuplicatePropertyException">A property name appears twice in one object.</exception>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static JsonDocument Parse(string text) => Parse(() => JsonDocument.Parse(text, DocumentOptions), () => JsonDocument.Parse(text));

    /// <summary>Parses UTF-8 <paramref name="utf8"/> strictly; throws as <see cref="Parse(string)"/>.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8) => Parse(() => JsonDocument.Parse(utf8, DocumentOptions), () => JsonDocument.Parse(utf8));

    /// <summary>
    /// Finds the first property name that appears twice in one object of <paramref name="element"/>,
    /// with the JSON path of that object (<c>$</c>, <c>$.parameters</c>, <c>$.items[2]</c>). The
    /// reader's own error says which name but not where, and only in prose.
    /// </summary>
    private static bool TryFindDuplicate(JsonElement element, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? path) =>
        TryFindDuplicate(element, "$", out name, out path);

    private static JsonDocument Parse(Func<JsonDocument> strict, Func<JsonDocument> lenient)
    {
        try
        {
            return strict();
        }
        catch (JsonException notStrict)
        {
            // The reader's error is the same for a repeated name as for any other fault: parsing
            // once more without that rule tells them apart, and finds the name.
            JsonDocument document;
            try
            {
                document = lenient();
            }
            catch (JsonException)
            {
                ExceptionDispatchInfo.Throw(notStrict);
                throw;
            }

            using (document)
            {
                if (TryFindDuplicate(document.RootElement, out var name, out var path))
                {
                    throw new DuplicatePropertyException(name, path, notStrict);
                }
            }

            throw;
        }
        catch (InvalidOperationException)
        {
            // The reader's duplicate check fails on a name that is no text (an escaped lone
            // surrogate, "\ud800"). Ours passes over such names; the field checks report them
            // where a field is read from there.
            var document = lenient();
            if (TryFindDuplicate(document.RootElement, out var name, out var path))
            {
                document.Dispose();
                throw new DuplicatePropertyException(name, path, null);
            }

            return document;
        }
    }

    private static bool TryFindDuplicate(JsonElement element, string at, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    // A name that is no text (an escaped lone surrogate) is reported by the
                    // field checks, if a field is read from there at all.
                    if (!JsonText.TryGetName(property, out var current))
                    {
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
