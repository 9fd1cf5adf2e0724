using System.Reflection;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using FunctionsApp.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// infra/ as azd deploys it: it compiles and lints clean with the pinned Bicep CLI, and the compiled
/// template gives the app every setting it reads, with the app's own defaults, on a storage account
/// that takes no keys.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class BicepTemplateTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string StorageConnection = AppServices.StorageConnectionSetting;

    private static readonly string[] IdentitySettings =
        [$"{StorageConnection}__blobServiceUri", $"{StorageConnection}__queueServiceUri", $"{StorageConnection}__credential", $"{StorageConnection}__clientId"];

    [Fact]
    public void BicepBuild_MainBicep_SucceedsWithoutWarnings()
    {
        Assert.True(compiled.ExitCode == 0, $"bicep build failed:\n{compiled.Diagnostics}");
        Assert.True(compiled.Diagnostics.Length == 0, $"bicep build reported:\n{compiled.Diagnostics}");
    }

    [Fact]
    public async Task BicepLint_MainBicep_ReportsNothing()
    {
        var (exitCode, output, errors) = await BicepCli.RunAsync("lint", CompiledTemplate.MainBicep);

        Assert.True(exitCode == 0 && output.Length == 0 && errors.Length == 0, $"bicep lint exited {exitCode}:\n{output}{errors}");
    }

    [Fact]
    public async Task BicepLint_WithTheRepositoriesConfig_TreatsARuleWarningAsAnError()
    {
        // The linter's rules are warnings unless infra/bicepconfig.json says otherwise; a template
        // next to a copy of it, with an unused parameter, must fail.
        var directory = Directory.CreateTempSubdirectory("bicep-lint-").FullName;
        try
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "infra", "bicepconfig.json"), Path.Combine(directory, "bicepconfig.json"));
            var file = Path.Combine(directory, "unused.bicep");
            await File.WriteAllTextAsync(file, "param unused string\n");

            var (exitCode, output, errors) = await BicepCli.RunAsync("lint", file);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("Error no-unused-params", output + errors, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AppSettings_CoverEverySettingTheAppReads()
    {
        var settings = AppSettings();

        var missing = SettingsTheAppReads().Select(s => s.Name).Concat(IdentitySettings).Where(name => !settings.ContainsKey(name)).ToList();

        Assert.True(missing.Count == 0, $"The function app is not given: {string.Join(", ", missing)}");
    }

    [Fact]
    public void AppSettings_HaveTheAppsOwnDefaults()
    {
        var settings = AppSettings();

        foreach (var (name, appDefault) in SettingsTheAppReads())
        {
            Assert.True(settings.TryGetValue(name, out var value), $"{name} is not set.");
            Assert.True(appDefault == value as string, $"{name} defaults to '{value}' in the template but '{appDefault}' in the app.");
        }
    }

    [Fact]
    public void AppSettings_StorageIsIdentityBasedWithTheAppsManagedIdentity()
    {
        var settings = AppSettings();

        // A plain value would be read as a connection string, which a keyless account cannot honour.
        Assert.False(settings.ContainsKey(StorageConnection), $"{StorageConnection} must not be set: the account has no keys.");
        Assert.Equal(FunctionsApp.Storage.StorageConnection.ManagedIdentity, settings[$"{StorageConnection}__credential"]);
        var site = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites"));
        var clientIdExpression = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == $"{StorageConnection}__clientId").GetProperty("value").GetString();
        var identity = site.GetProperty("identity");
        var appIdentity = compiled.App.SymbolicName("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Equal("UserAssigned", identity.GetProperty("type").GetString());
        Assert.Equal($"[reference('{appIdentity}').clientId]", clientIdExpression);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", identity.GetProperty("userAssignedIdentities").EnumerateObject().Single().Name, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageAccount_RefusesKeysAnonymousReadsAndOldTls()
    {
        var properties = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts")).GetProperty("properties");

        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean(), "shared-key access must be off");
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean(), "public blob access must be off");
        Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
        Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean(), "the account must take HTTPS only");
    }

    [Fact]
    public void Queues_AreTheAppsDefaultQueues()
    {
        var defaults = EffectiveOptions();
        var dispatch = (DispatchOptions)defaults[typeof(DispatchOptions)];
        var notifications = (NotificationsOptions)defaults[typeof(NotificationsOptions)];

        var queues = LoopNames("Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(
            new[] { dispatch.WorkItemsQueueName, dispatch.DeadLetterQueueName, notifications.OutboxQueueName }.Order(StringComparer.Ordinal),
            queues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Containers_AreTheAppsDefaultContainersAndTheDeploymentPackage()
    {
        var defaults = EffectiveOptions();
        var appContainers = new[]
        {
            ((ReportsOptions)defaults[typeof(ReportsOptions)]).ContainerName,
            ((DispatchOptions)defaults[typeof(DispatchOptions)]).DeadLetterContainerName,
            ((NotificationsOptions)defaults[typeof(NotificationsOptions)]).SentKeysContainerName,
        };

        var containers = LoopNames("Microsoft.Storage/storageAccounts/blobServices/containers");

        var extra = Assert.Single(containers.Except(appContainers));
        Assert.Empty(appContainers.Except(containers));
        // The package container is the one the platform deploys from: <blob endpoint><container>.
        var deployment = (string)compiled.App.Evaluate(FunctionAppConfig().GetProperty("deployment").GetProperty("storage").GetProperty("value"))!;
        Assert.Equal("<blob>" + extra, deployment);
        Assert.Equal("None", Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"))
            .GetProperty("properties").GetProperty("publicAccess").GetString());
    }

    [Fact]
    public void LifecyclePolicy_ExpiresSentKeysAndDeadLetterBlobsAfterTheParametersDays()
    {
        var defaults = EffectiveOptions();
        var policy = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts/managementPolicies"));
        var rule = Assert.Single(((IList<object?>)((IDictionary<string, object?>)compiled.App.Evaluate(policy.GetProperty("properties").GetProperty("policy"))!)["rules"]!)
            .Cast<IDictionary<string, object?>>());
        var definition = (IDictionary<string, object?>)rule["definition"]!;
        var prefixes = (IList<object?>)((IDictionary<string, object?>)definition["filters"]!)["prefixMatch"]!;
        var delete = (IDictionary<string, object?>)((IDictionary<string, object?>)((IDictionary<string, object?>)definition["actions"]!)["baseBlob"]!)["delete"]!;

        Assert.Equal(
            new[]
            {
                ((NotificationsOptions)defaults[typeof(NotificationsOptions)]).SentKeysContainerName + "/",
                ((DispatchOptions)defaults[typeof(DispatchOptions)]).DeadLetterContainerName + "/",
            }.Order(StringComparer.Ordinal),
            prefixes.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal(compiled.Main.Parameter("expireBlobsAfterDays"), delete["daysAfterModificationGreaterThan"]);
    }

    [Fact]
    public void FunctionApp_IsDotnetIsolated10OnFlexConsumptionWithNoAlwaysReadyInstancesByDefault()
    {
        var plan = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/serverfarms"));
        var config = FunctionAppConfig();
        var scale = (IDictionary<string, object?>)compiled.App.Evaluate(config.GetProperty("scaleAndConcurrency"))!;

        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Empty((IList<object?>)scale["alwaysReady"]!);
        Assert.Equal(2048L, scale["instanceMemoryMB"]);
        Assert.Equal(100L, scale["maximumInstanceCount"]);
        Assert.True(Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites")).GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
    }

    [Fact]
    public void AlwaysReadyParameters_KeepInstancesForTheHttpGroupAndTheQueueFunction()
    {
        // Flex Consumption keeps instances ready per group: "http" for every HTTP function, and
        // "function:<name>" for each other function, so a renamed queue function would lose them.
        var queueFunction = typeof(FunctionsApp.Functions.ProcessWorkItemFunction).GetMethods()
            .Select(m => m.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>()).Single(a => a is not null)!.Name;
        var app = compiled.Main.With("alwaysReadyHttpInstances", 1L).With("alwaysReadyQueueInstances", 2L).Module("app");

        var scale = (IDictionary<string, object?>)app.Evaluate(FunctionAppConfig().GetProperty("scaleAndConcurrency"))!;

        var groups = ((IList<object?>)scale["alwaysReady"]!).Cast<IDictionary<string, object?>>()
            .Select(g => ((string)g["name"]!, (long)g["instanceCount"]!)).ToList();
        Assert.Equal([("http", 1L), ($"function:{queueFunction}", 2L)], groups);
    }

    [Fact]
    public void RoleAssignments_GiveTheIdentityBlobOwnerQueueContributorAndMetricsPublisher()
    {
        var appIdentity = $"[reference('{compiled.App.SymbolicName("Microsoft.ManagedIdentity/userAssignedIdentities")}').principalId]";
        var roles = compiled.App.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.GetProperty("properties").GetProperty("principalId").GetString() == appIdentity)
            .Select(r => (string)compiled.App.Evaluate(r.GetProperty("properties").GetProperty("roleDefinitionId"))!)
            .ToList();

        // Built-in role ids: Storage Blob Data Owner, Storage Queue Data Contributor, Monitoring Metrics Publisher.
        Assert.Equal(
            new[] { "3913510d-42f4-4e42-8a64-420c390055eb", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" },
            roles.Select(r => r.Split('/')[^1]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ApplicationInsights_TakesTokensOnlyAndSendsToLogAnalytics()
    {
        var properties = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Insights/components")).GetProperty("properties");

        Assert.True(properties.GetProperty("DisableLocalAuth").GetBoolean(), "local authentication must be off");
        Assert.Contains("Microsoft.OperationalInsights/workspaces", properties.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.Contains("AAD", (string)AppSettings()["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void DeadLetterAlert_FiresOnAnyDeadLetterCountedByTheAppsMetric()
    {
        var rule = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Insights/scheduledQueryRules")).GetProperty("properties");
        var criterion = Assert.Single(rule.GetProperty("criteria").GetProperty("allOf").EnumerateArray());

        Assert.Contains($"name == \"{FunctionsApp.Telemetry.AppMetrics.Names.DeadLettered}\"", criterion.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetDouble());
        Assert.Equal("Total", criterion.GetProperty("timeAggregation").GetString());
        Assert.Contains("Microsoft.Insights/components", Assert.Single(rule.GetProperty("scopes").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.True(rule.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void BicepFiles_UseNoRegistryModules()
    {
        // Registry modules (br:, br/public:) need a registry our machines cannot reach.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "infra"), "*.bicep"))
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains("'br:", StringComparison.Ordinal) || text.Contains("'br/", StringComparison.Ordinal), $"{file} uses a registry module.");
        }
    }

    /// <summary>
    /// Every setting the app binds, derived from its options classes (a property P of a class with
    /// SectionName S is the app setting S__P), with the value the real composition root gives it
    /// when the setting is absent.
    /// </summary>
    private static IReadOnlyList<(string Name, string Default)> SettingsTheAppReads()
    {
        var settings = new List<(string, string)>();
        foreach (var (type, options) in EffectiveOptions())
        {
            var section = (string)type.GetField("SectionName")!.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                // Two properties are not read from their section: the work queue is the flat setting
                // the queue trigger also reads (%WorkItemsQueueName%), maxDequeueCount comes from host.json.
                var name = (type, property.Name) switch
                {
                    _ when type == typeof(DispatchOptions) && property.Name == nameof(DispatchOptions.WorkItemsQueueName) => AppServices.WorkItemsQueueSetting,
                    _ when type == typeof(DispatchOptions) && property.Name == nameof(DispatchOptions.MaxDequeueCount) => null,
                    _ => $"{section}__{property.Name}",
                };
                if (name is not null)
                {
                    settings.Add((name, Convert.ToString(property.GetValue(options), System.Globalization.CultureInfo.InvariantCulture)!));
                }
            }
        }

        Assert.NotEmpty(settings);
        return settings;
    }

    private static Dictionary<Type, object> EffectiveOptions()
    {
        var optionTypes = typeof(AppServices).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .ToList();
        Assert.Equal(4, optionTypes.Count);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageConnection] = "UseDevelopmentStorage=true" })
            .Build();
        using var provider = new ServiceCollection().AddLogging().AddFunctionsApp(configuration).BuildServiceProvider();
        return optionTypes.ToDictionary(
            t => t,
            t => typeof(IOptions<>).MakeGenericType(t).GetProperty(nameof(IOptions<object>.Value))!.GetValue(provider.GetRequiredService(typeof(IOptions<>).MakeGenericType(t)))!);
    }

    private Dictionary<string, object?> AppSettings()
    {
        var site = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites"));
        var settings = (IList<object?>)compiled.App.Evaluate(site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings"))!;
        return settings.Cast<IDictionary<string, object?>>().ToDictionary(s => (string)s["name"]!, s => s["value"], StringComparer.Ordinal);
    }

    private JsonElement FunctionAppConfig() =>
        Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites")).GetProperty("properties").GetProperty("functionAppConfig");

    /// <summary>The names a copy loop creates (the last segment of each child resource name).</summary>
    private List<string> LoopNames(string type)
    {
        var resource = Assert.Single(compiled.App.ResourcesOfType(type));
        var count = (long)compiled.App.Evaluate(resource.GetProperty("copy").GetProperty("count"))!;
        return [.. Enumerable.Range(0, (int)count).Select(i => ((string)compiled.App.Evaluate(resource.GetProperty("name"), i)!).Split('/')[^1])];
    }
}
