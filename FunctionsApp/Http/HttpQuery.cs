using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.Http;

/// <summary>Query parameters the HTTP functions share the rules of.</summary>
public static class HttpQuery
{
    /// <summary>
    /// Reads <paramref name="name"/> as a whole number from 1 to <paramref name="max"/> (digits only),
    /// or <paramref name="defaultValue"/> when it is absent. Returns null, or the 400 answer
    /// <c>invalid_&lt;name&gt;</c> when the value breaks the rule.
    /// </summary>
    public static IResult? WholeNumber(HttpRequest request, string name, int defaultValue, int max, out int value)
    {
        ArgumentNullException.ThrowIfNull(request);
        value = defaultValue;
        if ((string?)request.Query[name] is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < 1 || value > max))
        {
            return HttpJson.Error(HttpStatusCode.BadRequest, "invalid_" + name, $"{name} must be a whole number from 1 to {max}.");
        }

        return null;
    }
}
