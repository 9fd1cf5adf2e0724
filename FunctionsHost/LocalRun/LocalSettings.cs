using System.Globalization;
using System.Text.Json;

namespace FunctionsHost.LocalRun;

/// <summary>
/// <c>local.settings.json</c> as Core Tools reads it: <c>Values</c> become app settings,
/// <c>ConnectionStrings</c> become <c>ConnectionStrings:name</c>, <c>Host.LocalHttpPort</c> is the
/// HTTP port. An encrypted file is refused: only Core Tools holds the key to decrypt it.
/// </summary>
public sealed record LocalSettings(IReadOnlyDictionary<string, string> Values, int? LocalHttpPort)
{
    /// <summary>The file name Core Tools looks for in the folder it runs in.</summary>
    public const string FileName = "local.settings.json";

    /// <summary>The file Core Tools takes as the app's root marker, beside <see cref="FileName"/>.</summary>
    public const string HostJsonFileName = "host.json";

    /// <summary>No file: no settings of its own, everything from the environment.</summary>
    public static LocalSettings Empty { get; } = new(new Dictionary<string, string>(), null);

    /// <summary>
    /// The <c>local.settings.json</c> Core Tools reads when started in <paramref name="startDirectory"/>:
    /// the one in the first folder, from there upwards, that holds <c>host.json</c> or
    /// <c>local.settings.json</c> (Core Tools' <c>SecretsManager.AppSettingsFilePath</c>), so
    /// <c>func start</c> in a project folder without either finds the file one level up. Where no
    /// folder above has either, the app's own folder (Core Tools would stop with an error there).
    /// The file itself need not exist.
    /// </summary>
    public static string Locate(string startDirectory, string appDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(startDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(appDirectory);
        for (var folder = new DirectoryInfo(Path.GetFullPath(startDirectory)); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, HostJsonFileName)) || File.Exists(Path.Combine(folder.FullName, FileName)))
            {
                return Path.Combine(folder.FullName, FileName);
            }
        }

        return Path.Combine(Path.GetFullPath(appDirectory), FileName);
    }

    /// <summary>Reads the file; throws <see cref="LocalRunException"/> naming the file and the problem.</summary>
    public static LocalSettings Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new LocalRunException($"{path} is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Parse(path, document.RootElement);
        }
    }

    private static LocalSettings Parse(string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new LocalRunException($"{path} must hold a JSON object with a \"Values\" section.");
        }

        if (Find(root, "IsEncrypted") is { ValueKind: JsonValueKind.True })
        {
            throw new LocalRunException(
                $"{path} is encrypted (\"IsEncrypted\": true), and only Core Tools can decrypt it. " +
                "Run `func settings decrypt`, or write the values in plain text with \"IsEncrypted\": false.");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Find(root, "Values") is { } section)
        {
            foreach (var (name, value) in Entries(path, "Values", section))
            {
                values[name] = value;
            }
        }

        if (Find(root, "ConnectionStrings") is { } connections)
        {
            foreach (var (name, value) in Entries(path, "ConnectionStrings", connections))
            {
                values["ConnectionStrings:" + name] = value;
            }
        }

        int? port = null;
        if (Find(root, "Host") is { ValueKind: JsonValueKind.Object } host && Find(host, "LocalHttpPort") is { } portValue)
        {
            port = portValue.ValueKind switch
            {
                JsonValueKind.Number when portValue.TryGetInt32(out var number) && number is > 0 and < 65536 => number,
                JsonValueKind.String when int.TryParse(portValue.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536 => number,
                _ => throw new LocalRunException($"{path}: Host.LocalHttpPort must be a port number from 1 to 65535; it is {portValue.GetRawText()}."),
            };
        }

        return new LocalSettings(values, port);
    }

    private static IEnumerable<(string Name, string Value)> Entries(string path, string sectionName, JsonElement section)
    {
        if (section.ValueKind != JsonValueKind.Object)
        {
            throw new LocalRunException($"{path}: \"{sectionName}\" must be an object of names and values.");
        }

        foreach (var property in section.EnumerateObject())
        {
            // Core Tools takes numbers and booleans as their text; anything else is a mistake.
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                JsonValueKind.Null => "",
                _ => throw new LocalRunException($"{path}: {sectionName}.{property.Name} must be a string; it is {property.Value.ValueKind.ToString().ToLowerInvariant()}."),
            };
            yield return (property.Name, value);
        }
    }

    private static JsonElement? Find(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
