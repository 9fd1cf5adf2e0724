namespace FunctionsHost.Http;

/// <summary>
/// A Functions HTTP route (e.g. <c>items/{id}</c>) matched against a request path below
/// <c>/api/</c>. Covers literal segments and <c>{name}</c>, <c>{name:constraint}</c>,
/// <c>{name?}</c> and <c>{*rest}</c> parameters; constraints are not checked.
/// </summary>
public sealed class HttpRouteTemplate
{
    private readonly string[] segments;

    public HttpRouteTemplate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        Template = template;
        segments = template.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Template { get; }

    /// <summary>Returns the route values when <paramref name="path"/> matches, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                var name = segment[1..^1];
                var catchAll = name.StartsWith('*');
                var optional = name.EndsWith('?');
                name = name.TrimStart('*').TrimEnd('?').Split(':', '=')[0];
                if (catchAll)
                {
                    values[name] = string.Join('/', parts.Skip(i).Select(Uri.UnescapeDataString));
                    return values;
                }

                if (i >= parts.Length)
                {
                    if (optional)
                    {
                        continue;
                    }

                    return null;
                }

                values[name] = Uri.UnescapeDataString(parts[i]);
            }
            else if (i >= parts.Length || !segment.Equals(parts[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return parts.Length <= segments.Length ? values : null;
    }
}
