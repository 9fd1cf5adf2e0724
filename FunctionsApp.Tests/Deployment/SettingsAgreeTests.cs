using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// One truth about settings: the code (<see cref="SettingsCatalogue"/>) says which settings exist
/// and what they default to; the README's Settings tables, <c>local.settings.sample.json</c>, the
/// compiled template and the Kubernetes ConfigMap must each say the same, or say nothing.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed partial class SettingsAgreeTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string HostOnlyMark = "host only";

    /// <summary>
    /// Log levels of the Functions host's own categories (<c>Logging__LogLevel__&lt;category&gt;</c>):
    /// read by the host's web host from app settings, documented where the README explains each.
    /// </summary>
    private const string HostLogLevelPrefix = "Logging__LogLevel__";

    /// <summary>
    /// The settings the sample may set to something other than their default, and why; every other
    /// value it sets must be the default, so copying the sample changes nothing but these.
    /// </summary>
    private static readonly Dictionary<string, string> LocalOverrides = new(StringComparer.Ordinal)
    {
        [AppServices.StorageConnectionSetting] = "required, and locally Azurite (UseDevelopmentStorage=true)",
        [SettingsCatalogue.WorkerRuntimeSetting] = "Core Tools needs the worker's language; Azure takes it from the template",
    };

    /// <summary>
    /// The settings the Kubernetes ConfigMap sets away from their default, and why: the pods reach
    /// storage with workload identity, by account name (KEDA's scaler takes the same name).
    /// </summary>
    private static readonly Dictionary<string, string> ClusterOverrides = new(StringComparer.Ordinal)
    {
        [$"{AppServices.StorageConnectionSetting}__{FunctionsApp.Storage.StorageConnection.AccountNameKey}"] = "the account, by the name KEDA's scaler reads too",
        [$"{AppServices.StorageConnectionSetting}__{FunctionsApp.Storage.StorageConnection.CredentialKey}"] = "workload identity: the pod's federated token",
    };

    private static readonly Lazy<IReadOnlyList<SettingsCatalogue.Setting>> Catalogue = new(SettingsCatalogue.All);

    [Fact]
    public void Readme_DocumentsEverySettingTheCodeReads_WithTheCodesDefault()
    {
        var rows = ReadmeRows();

        var problems = new List<string>();
        foreach (var setting in Catalogue.Value)
        {
            if (!rows.TryGetValue(setting.Name, out var row))
            {
                problems.Add($"{setting.Name} (default {setting.Default}) has no row.");
                continue;
            }

            if (row.Default != setting.Default)
            {
                problems.Add($"{setting.Name} defaults to {setting.Default} in the code but to {row.Default} in the README.");
            }

            if (setting.HostOnly != row.Meaning.StartsWith(HostOnlyMark, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(setting.HostOnly
                    ? $"{setting.Name} is read only by the host; its meaning must start with '{HostOnlyMark}'."
                    : $"{setting.Name} is read by the app; its meaning must not start with '{HostOnlyMark}'.");
            }
        }

        Assert.True(problems.Count == 0, "README Settings:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Readme_NamesNoSettingTheCodeDoesNotRead()
    {
        var known = Catalogue.Value.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        var unknown = ReadmeRows().Keys.Where(name => !known.Contains(name)).ToList();

        Assert.True(unknown.Count == 0, $"The README's Settings tables name settings nothing reads: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void LocalSettingsSample_SetsOnlySettingsTheCodeReads()
    {
        var known = Catalogue.Value.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        // Host log levels are explained where log volume is (docs/monitoring.md).
        var explained = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "monitoring.md"));

        var unknown = SampleValues().Keys
            .Where(name => !known.Contains(name) && !(name.StartsWith(HostLogLevelPrefix, StringComparison.Ordinal) && explained.Contains($"`{name}`", StringComparison.Ordinal)))
            .ToList();

        Assert.True(unknown.Count == 0, $"local.settings.sample.json sets what nothing reads (or, for a host log level, what docs/monitoring.md does not explain): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void LocalSettingsSample_SetsEveryRequiredSetting()
    {
        var sample = SampleValues();

        var missing = Catalogue.Value.Where(s => s.Default == SettingsCatalogue.Required && !sample.ContainsKey(s.Name)).Select(s => s.Name).ToList();

        Assert.True(missing.Count == 0, $"local.settings.sample.json leaves out required settings: {string.Join(", ", missing)}");
    }

    [Fact]
    public void LocalSettingsSample_ContradictsNoDefault_OutsideTheLocalOverrides()
    {
        var problems = Contradictions(SampleValues(), LocalOverrides, name => name.StartsWith(HostLogLevelPrefix, StringComparison.Ordinal));

        Assert.True(problems.Count == 0, "local.settings.sample.json:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void KubernetesConfigMap_SetsOnlySettingsTheAppReads_AndEveryRequiredOne()
    {
        var app = Catalogue.Value.Where(s => !s.HostOnly).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var settings = KubernetesManifestsTests.ConfigMapData();

        var unknown = settings.Keys.Where(name => !app.Contains(name)).ToList();
        // The storage setting is required in one of its two forms; the ConfigMap has the identity-based one.
        var missing = Catalogue.Value
            .Where(s => s.Default == SettingsCatalogue.Required && s.Name != AppServices.StorageConnectionSetting && !settings.ContainsKey(s.Name))
            .Select(s => s.Name).ToList();

        Assert.True(unknown.Count == 0, $"deploy/kubernetes/configmap.yaml sets what the app does not read: {string.Join(", ", unknown)}");
        Assert.True(missing.Count == 0, $"deploy/kubernetes/configmap.yaml leaves out required settings: {string.Join(", ", missing)}");
    }

    [Fact]
    public void KubernetesConfigMap_ContradictsNoDefault_OutsideTheClusterOverrides()
    {
        var problems = Contradictions(KubernetesManifestsTests.ConfigMapData(), ClusterOverrides, _ => false);

        Assert.True(problems.Count == 0, "deploy/kubernetes/configmap.yaml:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// Where <paramref name="values"/> (a settings file's) leave the code's defaults, other than in
    /// <paramref name="overrides"/> and what <paramref name="explainedElsewhere"/> accepts.
    /// </summary>
    private static List<string> Contradictions(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> overrides, Func<string, bool> explainedElsewhere)
    {
        var appValues = SettingsCatalogue.OptionSettings().ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);

        var problems = new List<string>();
        foreach (var (name, value) in values)
        {
            if (overrides.ContainsKey(name) || explainedElsewhere(name)
                || Catalogue.Value.SingleOrDefault(s => s.Name == name) is not { } setting)
            {
                continue;
            }

            if (setting.Default.Contains(SettingsCatalogue.WorkItemsQueuePlaceholder, StringComparison.Ordinal))
            {
                // A fixed value would stop following the work queue when that is renamed.
                problems.Add($"{name} = {value}: its default is derived ({setting.Default}); leave it out.");
            }
            else if (setting.Default == SettingsCatalogue.Required)
            {
                // The settings file, the template and the app's own fallback name the same queue.
                if (!appValues.TryGetValue(name, out var fallback) || fallback != value)
                {
                    problems.Add($"{name} = {value}: the app falls back to {fallback ?? "nothing"}; name the same.");
                }
            }
            else if (setting.Default == SettingsCatalogue.Unset || setting.Default != value)
            {
                problems.Add($"{name} = {value}: the default is {setting.Default}, and it is not an override.");
            }
        }

        return problems;
    }

    [LinuxX64Fact]
    public void Template_SetsOnlySettingsTheCodeReads_AndNoneOnlyTheHostReads()
    {
        var app = Catalogue.Value.Where(s => !s.HostOnly).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        var unknown = TemplateAppSettings(compiled.App).Keys.Where(name => !app.Contains(name)).ToList();

        Assert.True(unknown.Count == 0, $"The template sets app settings the app does not read: {string.Join(", ", unknown)}");
    }

    [LinuxX64Fact]
    public void Template_DerivedDefaults_FollowARenamedWorkQueue()
    {
        const string Renamed = "renamed-work";
        var derived = Catalogue.Value.Where(s => s.Default.Contains(SettingsCatalogue.WorkItemsQueuePlaceholder, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(derived);

        var settings = TemplateAppSettings(compiled.Main.With("workItemsQueueName", Renamed).Module("app"));

        Assert.Equal(Renamed, settings[AppServices.WorkItemsQueueSetting]);
        foreach (var setting in derived)
        {
            Assert.Equal(setting.Default.Replace(SettingsCatalogue.WorkItemsQueuePlaceholder, Renamed, StringComparison.Ordinal), settings[setting.Name]);
        }
    }

    [Fact]
    public void ReadmeRows_ReadBothTablesAndEveryNameInACell()
    {
        // The parser itself: a cell may name two settings, and the identity table counts too.
        var rows = ReadmeRows();

        Assert.Equal("(unset)", rows["OTEL_METRICS_EXPORTER"].Default);
        Assert.Equal(rows["OTEL_TRACES_EXPORTER"], rows["OTEL_METRICS_EXPORTER"]);
        Assert.Contains("AzureWebJobsStorage__clientId", rows.Keys);
        Assert.Equal("-1", rows["Replay__WorkItemTimeToLiveSeconds"].Default);
    }

    /// <summary>The compiled template's app settings on the function app, evaluated.</summary>
    internal static Dictionary<string, object?> TemplateAppSettings(ArmTemplate app)
    {
        var site = Assert.Single(app.ResourcesOfType("Microsoft.Web/sites"));
        var settings = (IList<object?>)app.Evaluate(site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings"))!;
        return settings.Cast<IDictionary<string, object?>>().ToDictionary(s => (string)s["name"]!, s => s["value"], StringComparer.Ordinal);
    }

    private sealed record ReadmeRow(string Default, string Meaning);

    private static string ReadmePath => Path.Combine(RepositoryPaths.Root, "README.md");

    /// <summary>
    /// The rows of every table in the README's Settings section whose first column is <c>setting</c>:
    /// each name in backquotes in that column, with the default column (backquotes dropped) and the meaning.
    /// </summary>
    private static Dictionary<string, ReadmeRow> ReadmeRows()
    {
        var lines = File.ReadAllLines(ReadmePath);
        var start = Array.IndexOf(lines, "## Settings");
        Assert.True(start >= 0, "README.md has no '## Settings' section.");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var section = lines[(start + 1)..(end < 0 ? lines.Length : end)];

        var rows = new Dictionary<string, ReadmeRow>(StringComparer.Ordinal);
        string[]? header = null;
        foreach (var line in section)
        {
            if (!line.StartsWith('|'))
            {
                header = null;
                continue;
            }

            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
                continue;
            }

            if (header[0] != "setting" || cells.All(c => c.Trim('-', ':').Length == 0))
            {
                continue;
            }

            Assert.True(header is ["setting", "default", "meaning"], $"A settings table must have the columns setting, default, meaning; it has {string.Join(", ", header)}.");
            var names = Quoted().Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
            Assert.True(names.Count > 0, $"A settings row names no setting in backquotes: {line}");
            foreach (var name in names)
            {
                Assert.True(rows.TryAdd(name, new ReadmeRow(cells[1].Replace("`", "", StringComparison.Ordinal), cells[2])), $"{name} has two rows.");
            }
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private static Dictionary<string, string> SampleValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    [GeneratedRegex("`([^`]+)`", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();
}
