using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using FunctionsApp.Dispatch;
using FunctionsApp.Storage;
using FunctionsApp.Telemetry;
using FunctionsHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// Every setting the app and the host read, found in the code rather than listed by hand: the
/// options classes (each binding checked by setting a value and seeing it arrive), the queue
/// trigger's <c>%setting%</c> expressions, the storage connection's keys, the telemetry settings and
/// the host's own. Each comes with its default as the README writes it.
/// </summary>
public static partial class SettingsCatalogue
{
    /// <summary>A setting without which the app, or one of its functions, does not start.</summary>
    public const string Required = "(required)";

    /// <summary>A setting that is off, or has no value, until set.</summary>
    public const string Unset = "(unset)";

    /// <summary>How a default that follows the work queue's name is written.</summary>
    public const string WorkItemsQueuePlaceholder = "<WorkItemsQueueName>";

    /// <summary>One setting: its name as an app setting (<c>__</c> for a section), its default, and whether only the host reads it.</summary>
    public sealed record Setting(string Name, string Default, bool HostOnly);

    /// <summary>Every setting the app or the host reads, with its default.</summary>
    public static IReadOnlyList<Setting> All()
    {
        var settings = new List<Setting>();
        var triggerSettings = TriggerSettings();
        var options = OptionSettings();
        var workQueue = options.Single(s => s.Name == AppServices.WorkItemsQueueSetting).Value;
        var moved = OptionSettingValues((AppServices.WorkItemsQueueSetting, "moved-queue"));
        foreach (var (name, value) in options)
        {
            // A default derived from the work queue's name changes when only that setting does.
            var followsWorkQueue = name != AppServices.WorkItemsQueueSetting && moved[name] != value;
            var documented = triggerSettings.Contains(name) ? Required
                : followsWorkQueue ? value.Replace(workQueue, WorkItemsQueuePlaceholder, StringComparison.Ordinal)
                : value;
            settings.Add(new Setting(name, documented, HostOnly: false));
        }

        // A binding expression that names a setting no options class binds is still a setting.
        settings.AddRange(triggerSettings.Where(t => settings.All(s => s.Name != t)).Select(t => new Setting(t, Required, HostOnly: false)));

        // Storage: without either form the app stops at start; a ConnectionStrings entry wins.
        var storage = AppServices.StorageConnectionSetting;
        Assert.Throws<InvalidOperationException>(() => StorageConnection.Resolve(Configuration([]), storage));
        settings.Add(new Setting(storage, Required, HostOnly: false));
        var connectionStrings = $"{StorageConnection.ConnectionStringsSection}:{storage}";
        Assert.NotNull(StorageConnection.Resolve(Configuration([(connectionStrings, "UseDevelopmentStorage=true")]), storage).ConnectionString);
        settings.Add(new Setting(AsAppSetting(connectionStrings), Unset, HostOnly: false));
        settings.AddRange(Constants(typeof(StorageConnection), "Key").Select(key => new Setting($"{storage}__{key}", Unset, HostOnly: false)));

        // Telemetry is off until one of these names somewhere to send it.
        settings.AddRange(Constants(typeof(TelemetrySetup), "Setting").Select(name => new Setting(name, Unset, HostOnly: false)));

        // The host's own: the landing page (on unless turned off), and the runtime Core Tools asks for.
        Assert.True(AppOutput.HomepageEnabled(new Dictionary<string, string>()));
        settings.Add(new Setting(AppOutput.DisableHomepageSetting, "false", HostOnly: true));
        settings.Add(new Setting(WorkerRuntimeSetting, Unset, HostOnly: true));

        Assert.Equal(settings.Count, settings.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        return settings;
    }

    /// <summary>
    /// The setting the Functions host (Core Tools locally) needs to know the worker's language;
    /// the stand-in host sets it for the worker itself, and Flex Consumption takes the runtime from
    /// the template instead.
    /// </summary>
    public const string WorkerRuntimeSetting = "FUNCTIONS_WORKER_RUNTIME";

    /// <summary>
    /// Every setting the app binds into its options classes, named as the attribute that validates
    /// it says (else <c>Section__Property</c>), with the value the real composition root gives it when
    /// the setting is absent. Each name is checked: a value set under it must reach its property.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> OptionSettings()
    {
        var settings = new List<(string, string)>();
        foreach (var (type, options) in EffectiveOptions())
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                // The retry count comes from host.json (extensions:queues:maxDequeueCount), not from a setting.
                if (type == typeof(DispatchOptions) && property.Name == nameof(DispatchOptions.MaxDequeueCount))
                {
                    continue;
                }

                var key = SettingKey(type, property);
                var value = Text(property.GetValue(options));
                var probe = Probe(property, value);
                var bound = Text(property.GetValue(EffectiveOptions([(key, probe)])[type]));
                Assert.True(bound == probe, $"{type.Name}.{property.Name}: the setting {key} = {probe} reached it as {bound}; the setting name is wrong.");
                settings.Add((AsAppSetting(key), value));
            }
        }

        Assert.NotEmpty(settings);
        return settings;
    }

    /// <summary>The options classes as the composition root fills them from <paramref name="settings"/> (configuration keys, <c>:</c> for a section).</summary>
    public static Dictionary<Type, object> EffectiveOptions(params (string Key, string Value)[] settings)
    {
        var optionTypes = typeof(AppServices).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .ToList();
        Assert.Equal(4, optionTypes.Count);
        var configuration = Configuration([(AppServices.StorageConnectionSetting, "UseDevelopmentStorage=true"), .. settings]);
        using var provider = new ServiceCollection().AddLogging().AddFunctionsApp(configuration).BuildServiceProvider();
        return optionTypes.ToDictionary(
            t => t,
            t => typeof(IOptions<>).MakeGenericType(t).GetProperty(nameof(IOptions<object>.Value))!.GetValue(provider.GetRequiredService(typeof(IOptions<>).MakeGenericType(t)))!);
    }

    /// <summary>
    /// The settings the app's function triggers and bindings name as <c>%setting%</c>. The host
    /// resolves them before the app runs, with no default: unset, the function cannot be indexed.
    /// </summary>
    public static IReadOnlySet<string> TriggerSettings()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var parameters = typeof(AppServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters());
        foreach (var attribute in parameters.SelectMany(p => p.GetCustomAttributes()))
        {
            foreach (var text in attribute.GetType().GetProperties().Where(p => p.PropertyType == typeof(string)).Select(p => p.GetValue(attribute) as string))
            {
                names.UnionWith(SettingReference().Matches(text ?? "").Select(m => AsAppSetting(m.Groups[1].Value)));
            }
        }

        Assert.NotEmpty(names);
        return names;
    }

    /// <summary><c>Section:Key</c> as an app setting or environment variable writes it: <c>Section__Key</c>.</summary>
    public static string AsAppSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static Dictionary<string, string> OptionSettingValues(params (string Key, string Value)[] settings)
    {
        var names = OptionSettings().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, options) in EffectiveOptions(settings))
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var key = SettingKey(type, property);
                if (names.Contains(AsAppSetting(key)))
                {
                    values[AsAppSetting(key)] = Text(property.GetValue(options));
                }
            }
        }

        return values;
    }

    /// <summary>The configuration key the attribute that validates a property names, else <c>Section:Property</c>.</summary>
    private static string SettingKey(Type type, PropertyInfo property) =>
        property.GetCustomAttribute<StorageNameAttribute>()?.Setting
            ?? property.GetCustomAttribute<TimeToLiveAttribute>()?.Setting
            ?? $"{type.GetField("SectionName")!.GetRawConstantValue()}:{property.Name}";

    /// <summary>A valid value other than <paramref name="current"/>, to see whether a setting reaches its property.</summary>
    private static string Probe(PropertyInfo property, string current)
    {
        if (property.PropertyType == typeof(string))
        {
            return current == "probe-name" ? "probe-other" : "probe-name";
        }

        Assert.Equal(typeof(int), property.PropertyType);
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            var minimum = Text(range.Minimum);
            return minimum != current ? minimum : Text(range.Maximum);
        }

        return current == "3600" ? "7200" : "3600";
    }

    private static IEnumerable<string> Constants(Type type, string suffix) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith(suffix, StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!);

    private static IConfiguration Configuration(IEnumerable<(string Key, string Value)> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    [GeneratedRegex("%([^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex SettingReference();
}
