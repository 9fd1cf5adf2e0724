using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// A compiled ARM template (the output of <c>bicep build</c>) read the way Resource Manager would
/// read it with the parameters' defaults, so a test checks the names and settings a deployment
/// really gets rather than the text of the template. Evaluates the template functions the infra
/// uses (parameters, variables, format, string, length, subscriptionResourceId, resourceId, createArray, createObject, union, concat,
/// if, greater, equals, not, and, or, contains, empty, null, copyIndex, indexing); any other function evaluates to the marker
/// <c>&lt;name&gt;</c> without looking at its arguments (uniqueString, reference, ...).
/// </summary>
public sealed class ArmTemplate
{
    private readonly JsonElement template;
    private readonly Dictionary<string, Lazy<object?>> supplied;

    private ArmTemplate(JsonElement template, Dictionary<string, Lazy<object?>> supplied)
    {
        this.template = template;
        this.supplied = supplied;
    }

    public static ArmTemplate Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new ArmTemplate(document.RootElement.Clone(), []);
    }

    /// <summary>This template with <paramref name="name"/> given <paramref name="value"/> instead of its default.</summary>
    public ArmTemplate With(string name, object? value) =>
        new(template, new Dictionary<string, Lazy<object?>>(supplied, StringComparer.OrdinalIgnoreCase) { [name] = new(() => value) });

    /// <summary>The template's resources (an array, or an object keyed by symbolic name in language version 2.0).</summary>
    public IReadOnlyList<JsonElement> Resources
    {
        get
        {
            var resources = template.GetProperty("resources");
            return resources.ValueKind == JsonValueKind.Array
                ? [.. resources.EnumerateArray()]
                : [.. resources.EnumerateObject().Select(p => p.Value)];
        }
    }

    /// <summary>The names of the parameters the template declares.</summary>
    public IReadOnlyList<string> ParameterNames => [.. template.GetProperty("parameters").EnumerateObject().Select(p => p.Name)];

    /// <summary>The template's outputs, as declared (their values unevaluated).</summary>
    public JsonElement Outputs => template.GetProperty("outputs");

    /// <summary>The symbolic name (language version 2.0) of the one resource of <paramref name="type"/>, as <c>reference('name')</c> uses it.</summary>
    public string SymbolicName(string type) =>
        Assert.Single(template.GetProperty("resources").EnumerateObject(), p => string.Equals(p.Value.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase)).Name;

    public IReadOnlyList<JsonElement> ResourcesOfType(string type) =>
        [.. Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase))];

    /// <summary>The nested deployment (a Bicep module) named <paramref name="deploymentName"/>, with the parameter values this template passes it.</summary>
    public ArmTemplate Module(string deploymentName)
    {
        var deployment = Assert.Single(
            ResourcesOfType("Microsoft.Resources/deployments"), d => Evaluate(d.GetProperty("name")) as string == deploymentName);
        var properties = deployment.GetProperty("properties");
        var parameters = properties.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => new Lazy<object?>(() => Evaluate(p.Value.GetProperty("value"))), StringComparer.OrdinalIgnoreCase);
        return new ArmTemplate(properties.GetProperty("template"), parameters);
    }

    /// <summary>A parameter's value: the one passed in, else its default.</summary>
    public object? Parameter(string name)
    {
        if (supplied.TryGetValue(name, out var value))
        {
            return value.Value;
        }

        var declared = Property(template.GetProperty("parameters"), name)
            ?? throw new InvalidOperationException($"The template has no parameter '{name}'.");
        return declared.TryGetProperty("defaultValue", out var fallback)
            ? Evaluate(fallback)
            : throw new InvalidOperationException($"The parameter '{name}' has no default and no value was passed.");
    }

    public object? Variable(string name) =>
        Evaluate(Property(template.GetProperty("variables"), name) ?? throw new InvalidOperationException($"The template has no variable '{name}'."));

    /// <summary>A JSON value of the template with every expression in it evaluated; <paramref name="copyIndex"/> for a resource in a copy loop.</summary>
    public object? Evaluate(JsonElement value, int? copyIndex = null) => value.ValueKind switch
    {
        JsonValueKind.String => Expression(value.GetString()!, copyIndex),
        JsonValueKind.Number => value.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(v => Evaluate(v, copyIndex)).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => Evaluate(p.Value, copyIndex), StringComparer.OrdinalIgnoreCase),
        _ => null,
    };

    private static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private object? Expression(string text, int? copyIndex)
    {
        if (text.StartsWith("[[", StringComparison.Ordinal))
        {
            return text[1..];
        }

        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return text;
        }

        var parser = new Parser(text[1..^1]);
        var node = parser.Parse();
        return new Evaluator(this, copyIndex).Evaluate(node);
    }

    private abstract record Node;

    private sealed record Literal(object? Value) : Node;

    private sealed record Call(string Name, IReadOnlyList<Node> Arguments) : Node;

    private sealed record Index(Node Target, Node Key) : Node;

    private sealed record Member(Node Target, string Name) : Node;

    private sealed class Parser(string text)
    {
        private int position;

        public Node Parse()
        {
            var node = Expression();
            SkipSpace();
            return position == text.Length ? node : throw Error("unexpected text");
        }

        private Node Expression()
        {
            SkipSpace();
            Node node;
            var c = text[position];
            if (c == '\'')
            {
                node = new Literal(StringLiteral());
            }
            else if (char.IsAsciiDigit(c) || c == '-')
            {
                var start = position++;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }

                node = new Literal(long.Parse(text[start..position], CultureInfo.InvariantCulture));
            }
            else
            {
                var name = Identifier();
                Expect('(');
                var arguments = new List<Node>();
                SkipSpace();
                if (text[position] != ')')
                {
                    arguments.Add(Expression());
                    SkipSpace();
                    while (text[position] == ',')
                    {
                        position++;
                        arguments.Add(Expression());
                        SkipSpace();
                    }
                }

                Expect(')');
                node = new Call(name, arguments);
            }

            while (true)
            {
                SkipSpace();
                if (position < text.Length && text[position] == '[')
                {
                    position++;
                    var key = Expression();
                    Expect(']');
                    node = new Index(node, key);
                }
                else if (position < text.Length && text[position] == '.')
                {
                    position++;
                    node = new Member(node, Identifier());
                }
                else
                {
                    return node;
                }
            }
        }

        private string StringLiteral()
        {
            var value = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw Error("unterminated string");
                }

                if (text[position] == '\'')
                {
                    if (position + 1 < text.Length && text[position + 1] == '\'')
                    {
                        value.Append('\'');
                        position += 2;
                        continue;
                    }

                    position++;
                    return value.ToString();
                }

                value.Append(text[position++]);
            }
        }

        private string Identifier()
        {
            SkipSpace();
            var start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_'))
            {
                position++;
            }

            return position > start ? text[start..position] : throw Error("expected a name");
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (position >= text.Length || text[position] != c)
            {
                throw Error($"expected '{c}'");
            }

            position++;
        }

        private void SkipSpace()
        {
            while (position < text.Length && text[position] == ' ')
            {
                position++;
            }
        }

        private FormatException Error(string what) => new($"ARM expression '{text}': {what} at {position}.");
    }

    private sealed class Evaluator(ArmTemplate owner, int? copyIndex)
    {
        public object? Evaluate(Node node) => node switch
        {
            Literal literal => literal.Value,
            Index index => Evaluate(index.Target) switch
            {
                IList<object?> list => list[(int)(long)Evaluate(index.Key)!],
                IDictionary<string, object?> map => map[(string)Evaluate(index.Key)!],
                var other => throw new InvalidOperationException($"Cannot index {other}."),
            },
            Member member => Evaluate(member.Target) is IDictionary<string, object?> map
                ? map[member.Name]
                : $"<{member.Name}>",
            Call call => Invoke(call),
            _ => throw new InvalidOperationException($"Unknown node {node}."),
        };

        private object? Invoke(Call call)
        {
            var args = call.Arguments;
            return call.Name.ToLowerInvariant() switch
            {
                "parameters" => owner.Parameter((string)Evaluate(args[0])!),
                "variables" => owner.Variable((string)Evaluate(args[0])!),
                "copyindex" => (long)(copyIndex ?? throw new InvalidOperationException("copyIndex() outside a copy loop.")),
                "format" => string.Format(CultureInfo.InvariantCulture, (string)Evaluate(args[0])!, [.. args.Skip(1).Select(a => Text(Evaluate(a)))]),
                "string" => Text(Evaluate(args[0])),
                "length" => Evaluate(args[0]) switch
                {
                    string s => (long)s.Length,
                    IList<object?> list => list.Count,
                    var other => throw new InvalidOperationException($"length() of {other}."),
                },
                "subscriptionresourceid" => $"/subscriptions/<subscription>/providers/{Evaluate(args[0])}/{string.Join('/', args.Skip(1).Select(a => Text(Evaluate(a))))}",
                "resourceid" => ResourceId([.. args.Select(a => Text(Evaluate(a)))]),
                "createarray" => args.Select(Evaluate).ToList(),
                "createobject" => Enumerable.Range(0, args.Count / 2)
                    .ToDictionary(i => (string)Evaluate(args[2 * i])!, i => Evaluate(args[(2 * i) + 1]), StringComparer.OrdinalIgnoreCase),
                "union" => args.SelectMany(a => (IList<object?>)Evaluate(a)!).Distinct().ToList(),
                "concat" => args.Select(Evaluate).ToList() is var values && values.All(v => v is IList<object?>)
                    ? values.SelectMany(v => (IList<object?>)v!).ToList()
                    : string.Concat(values.Select(Text)),
                "if" => (bool)Evaluate(args[0])! ? Evaluate(args[1]) : Evaluate(args[2]),
                "greater" => (long)Evaluate(args[0])! > (long)Evaluate(args[1])!,
                "equals" => Equals(Evaluate(args[0]), Evaluate(args[1])),
                "not" => !(bool)Evaluate(args[0])!,
                "and" => args.All(a => (bool)Evaluate(a)!),
                "or" => args.Any(a => (bool)Evaluate(a)!),
                "null" => null,
                "contains" => Evaluate(args[0]) switch
                {
                    string s => s.Contains((string)Evaluate(args[1])!, StringComparison.OrdinalIgnoreCase),
                    IList<object?> list => list.Contains(Evaluate(args[1])),
                    IDictionary<string, object?> map => map.ContainsKey((string)Evaluate(args[1])!),
                    var other => throw new InvalidOperationException($"contains() on {other}."),
                },
                "empty" => Evaluate(args[0]) switch
                {
                    null => true,
                    string s => s.Length == 0,
                    IList<object?> list => list.Count == 0,
                    IDictionary<string, object?> map => map.Count == 0,
                    _ => false,
                },
                var other => $"<{other}>",
            };
        }

        /// <summary>
        /// The id of a resource in the deployment's group: the type's segments interleaved with the
        /// names, so <c>resourceId('A.B/c/d', 'x', 'y')</c> is <c>.../providers/A.B/c/x/d/y</c>.
        /// </summary>
        private static string ResourceId(IReadOnlyList<string> args)
        {
            var types = args[0].Split('/');
            var path = new StringBuilder("/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers/").Append(types[0]);
            for (var i = 1; i < types.Length; i++)
            {
                path.Append('/').Append(types[i]).Append('/').Append(args[i]);
            }

            return path.ToString();
        }

        private static string Text(object? value) => value switch
        {
            null => "",
            long number => number.ToString(CultureInfo.InvariantCulture),
            bool flag => flag ? "True" : "False",
            _ => value.ToString() ?? "",
        };
    }
}
