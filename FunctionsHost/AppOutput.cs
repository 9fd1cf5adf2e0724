using System.Text.Json;

namespace FunctionsHost;

/// <summary>
/// A built isolated-worker app as the Functions host finds it in its folder: how to launch the
/// worker (<c>worker.config.json</c>), the host settings (<c>host.json</c>) and the binding
/// extensions the app's build asks the host to load (<c>extensions.json</c>).
/// </summary>
public sealed class AppOutput
{
    /// <summary>The name the Worker SDK gives the Azure Storage Queues extension in extensions.json.</summary>
    public const string StorageQueuesExtension = "AzureStorageQueues";

    /// <summary>The app setting that turns the landing page at <c>/</c> off, as in the Functions host.</summary>
    public const string DisableHomepageSetting = "AzureWebJobsDisableHomepage";

    private AppOutput(string directory, string executable, IReadOnlyList<string> arguments, IReadOnlyList<string> extensions)
    {
        Directory = directory;
        Executable = executable;
        Arguments = arguments;
        Extensions = extensions;
    }

    /// <summary>The app's build output folder, absolute.</summary>
    public string Directory { get; }

    public string HostJsonPath => Path.Combine(Directory, "host.json");

    /// <summary>The program that runs the worker (<c>dotnet</c> for a framework-dependent build).</summary>
    public string Executable { get; }

    /// <summary>The worker's command line before the host's own switches: runtime arguments, the entry assembly, worker arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The binding extensions named in <c>extensions.json</c> (empty when the app asks for none).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Reads a build output folder; throws <see cref="InvalidOperationException"/> saying what is missing and how to build.</summary>
    public static AppOutput Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        var config = Path.Combine(full, "worker.config.json");
        if (!File.Exists(config))
        {
            throw new InvalidOperationException(
                $"{full} is not a built isolated-worker Functions app (it has no worker.config.json). " +
                "Build the app first (`dotnet build` of its project) and pass its output folder, e.g. bin/Release/net10.0.");
        }

        if (!File.Exists(Path.Combine(full, "host.json")))
        {
            throw new InvalidOperationException($"The app in {full} has no host.json; the Functions host needs one beside worker.config.json.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(config));
        var description = Property(document.RootElement, "description")
            ?? throw new InvalidOperationException($"{config} has no \"description\" section.");
        var workerPath = Text(description, "defaultWorkerPath")
            ?? throw new InvalidOperationException($"{config} names no defaultWorkerPath (the worker's entry assembly).");
        var entry = Path.Combine(full, workerPath);
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"The app's entry assembly {entry} (worker.config.json defaultWorkerPath) does not exist; build the app again.");
        }

        var arguments = new List<string>(List(description, "arguments")) { entry };
        arguments.AddRange(List(description, "workerArguments"));
        return new AppOutput(full, Text(description, "defaultExecutablePath") ?? "dotnet", arguments, ReadExtensions(full));
    }

    /// <summary>Fails when functions need an extension the app's build did not ask the host to load.</summary>
    public void EnsureExtension(string name, IEnumerable<WorkerFunction> functions)
    {
        if (!Extensions.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Functions {string.Join(", ", functions.Select(f => f.Name))} need the {name} extension, but the app's extensions.json does not list it " +
                "(reference the matching Microsoft.Azure.Functions.Worker.Extensions.* package and build again).");
        }
    }

    /// <summary>Whether <c>GET /</c> serves the landing page: yes unless <see cref="DisableHomepageSetting"/> is true.</summary>
    public static bool HomepageEnabled(IReadOnlyDictionary<string, string> appSettings) =>
        !(appSettings.TryGetValue(DisableHomepageSetting, out var value) && bool.TryParse(value, out var disabled) && disabled);

    private static string[] ReadExtensions(string directory)
    {
        var path = Path.Combine(directory, "extensions.json");
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return Property(document.RootElement, "extensions") is { ValueKind: JsonValueKind.Array } extensions
            ? extensions.EnumerateArray().Select(e => Text(e, "name")).OfType<string>().ToArray()
            : [];
    }

    private static IEnumerable<string> List(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } values
            ? values.EnumerateArray().Select(v => v.GetString()).OfType<string>().Where(v => v.Length > 0)
            : [];

    private static JsonElement? Property(JsonElement element, string name) => WorkerFunction.Property(element, name);

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
