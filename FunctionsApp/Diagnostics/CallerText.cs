using System.Globalization;
using System.Text;

namespace FunctionsApp.Diagnostics;

/// <summary>
/// Makes text a caller sent safe to put in a log line or a dead-letter description: escaped so it
/// can neither start a forged line nor reorder what a reader sees, and bounded in length.
/// </summary>
/// <remarks>
/// Escaped as <c>\uXXXX</c>: control characters (Cc, such as a newline), format characters (Cf,
/// such as the bidi override U+202E and the zero-width space U+200B), the line and paragraph
/// separators (Zl, Zp), and lone surrogates (Cs). The backslash and the single quote are escaped
/// too, so escaped text cannot pass for an escape, and quoted text cannot close its own quotes.
/// </remarks>
public static class CallerText
{
    /// <summary>How many characters of caller text a log line or description carries at most.</summary>
    public const int DefaultMaxLength = 100;

    /// <summary>What stands for a missing value.</summary>
    public const string Missing = "(none)";

    /// <summary>The text, escaped and bounded, in single quotes: <c>'launch\u000Arocket'</c>.</summary>
    public static string Quote(string? text, int maxLength = DefaultMaxLength) =>
        text is null ? Missing : "'" + Escape(text, maxLength) + "'";

    /// <summary>The text escaped and bounded, without quotes; for values that stand alone, such as a log scope's.</summary>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (text is null)
        {
            return Missing;
        }

        if (text.Length <= maxLength && !NeedsEscaping(text))
        {
            return text;
        }

        var kept = text.Length <= maxLength ? text.Length : maxLength;
        // Never cut a surrogate pair in two: the half left would be escaped as if it were lone.
        if (kept < text.Length && kept > 0 && char.IsHighSurrogate(text[kept - 1]) && char.IsLowSurrogate(text[kept]))
        {
            kept--;
        }

        var escaped = new StringBuilder(kept + 16);
        for (var i = 0; i < kept; i++)
        {
            var c = text[i];
            if (char.IsSurrogatePair(text, i) && i + 1 < kept)
            {
                // Outside the BMP too there are format characters (the tag characters U+E0000-E007F).
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}\\u{(int)text[i + 1]:X4}");
                }
                else
                {
                    escaped.Append(c).Append(text[i + 1]);
                }

                i++;
            }
            else if (c is '\\' or '\'')
            {
                escaped.Append('\\').Append(c);
            }
            else if (IsUnsafe(char.GetUnicodeCategory(c)))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        if (kept < text.Length)
        {
            escaped.Append(CultureInfo.InvariantCulture, $"... ({text.Length - kept} more characters)");
        }

        return escaped.ToString();
    }

    private static bool NeedsEscaping(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    return true;
                }

                i++;
            }
            else if (text[i] is '\\' or '\'' || IsUnsafe(char.GetUnicodeCategory(text[i])))
            {
                return true;
            }
        }

        return false;
    }

    // A single surrogate reaching this test is lone: pairs are categorized as one code point.
    private static bool IsUnsafe(UnicodeCategory category) => category is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
