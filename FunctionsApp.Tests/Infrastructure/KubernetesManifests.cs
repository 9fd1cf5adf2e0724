using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// Every document of every manifest in <c>deploy/kubernetes/</c>, parsed by a YAML loader into plain
/// maps and lists (scalars as strings, as Kubernetes reads quoted and unquoted values alike), with
/// lookups by kind and name.
/// </summary>
public sealed class KubernetesManifests
{
    private KubernetesManifests(IReadOnlyList<Resource> resources) => Resources = resources;

    /// <summary>The folder of the manifests, relative to the repository root.</summary>
    public const string Folder = "deploy/kubernetes";

    /// <summary>One document: the file it came from, its kind, its name and its whole content.</summary>
    public sealed record Resource(string File, string Kind, string Name, IDictionary<object, object> Document)
    {
        /// <summary>The value at a path of map keys, or null where the path ends early.</summary>
        public object? At(params string[] path) => KubernetesManifests.At(Document, path);
    }

    public IReadOnlyList<Resource> Resources { get; }

    public static KubernetesManifests Load()
    {
        var folder = Path.Combine(RepositoryPaths.Root, Folder);
        var files = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);

        var deserializer = new DeserializerBuilder().Build();
        var resources = new List<Resource>();
        foreach (var file in files)
        {
            using var reader = new StringReader(File.ReadAllText(file));
            var parser = new Parser(reader);
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                var document = deserializer.Deserialize<Dictionary<object, object>>(parser);
                var name = Path.GetFileName(file);
                Assert.True(document is not null, $"{name} has an empty document.");
                var kind = At(document, "kind") as string;
                var resourceName = At(document, "metadata", "name") as string;
                Assert.True(kind is { Length: > 0 } && resourceName is { Length: > 0 } && At(document, "apiVersion") is string,
                    $"A document in {name} lacks apiVersion, kind or metadata.name.");
                resources.Add(new Resource(name, kind!, resourceName!, document));
            }
        }

        return new KubernetesManifests(resources);
    }

    /// <summary>The one resource of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public Resource Only(string kind, string name) =>
        Assert.Single(Resources, r => r.Kind == kind && r.Name == name);

    /// <summary>The one resource of <paramref name="kind"/>.</summary>
    public Resource Only(string kind) => Assert.Single(Resources, r => r.Kind == kind);

    /// <summary>Every scalar in a document, with the path of keys that leads to it.</summary>
    public static IEnumerable<(string Path, string Value)> Scalars(object? node, string path = "")
    {
        switch (node)
        {
            case IDictionary<object, object> map:
                foreach (var (key, value) in map)
                {
                    foreach (var scalar in Scalars(value, $"{path}/{key}"))
                    {
                        yield return scalar;
                    }
                }

                break;
            case IList<object> list:
                for (var i = 0; i < list.Count; i++)
                {
                    foreach (var scalar in Scalars(list[i], $"{path}/{i}"))
                    {
                        yield return scalar;
                    }
                }

                break;
            case string text:
                yield return (path, text);
                break;
        }
    }

    /// <summary>The maps of a list node (an empty list when absent).</summary>
    public static IEnumerable<IDictionary<object, object>> Maps(object? node) =>
        node is IList<object> list ? list.OfType<IDictionary<object, object>>() : [];

    private static object? At(IDictionary<object, object> document, params string[] path)
    {
        object? node = document;
        foreach (var key in path)
        {
            if (node is not IDictionary<object, object> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }
}
