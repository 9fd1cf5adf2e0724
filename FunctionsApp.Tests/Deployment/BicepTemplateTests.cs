using System.Reflection;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// infra/ as azd deploys it: it compiles and lints clean with the pinned Bicep CLI, and the compiled
/// template gives the app every setting it reads, with the app's own defaults, on a storage account
/// that takes no keys, with storage roles no wider than one container or queue, soft delete, write
/// and delete logs, an alert that can mail someone, and an optional private network.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class BicepTemplateTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string StorageConnection = AppServices.StorageConnectionSetting;

    private static readonly string[] IdentitySettings =
        [$"{StorageConnection}__blobServiceUri", $"{StorageConnection}__queueServiceUri", $"{StorageConnection}__credential", $"{StorageConnection}__clientId"];

    [LinuxX64Fact]
    public void BicepBuild_MainBicep_SucceedsWithoutWarnings()
    {
        Assert.True(compiled.ExitCode == 0, $"bicep build failed:\n{compiled.Diagnostics}");
        Assert.True(compiled.Diagnostics.Length == 0, $"bicep build reported:\n{compiled.Diagnostics}");
    }

    [LinuxX64Fact]
    public async Task BicepLint_MainBicep_ReportsNothing()
    {
        var (exitCode, output, errors) = await BicepCli.RunAsync("lint", CompiledTemplate.MainBicep);

        Assert.True(exitCode == 0 && output.Length == 0 && errors.Length == 0, $"bicep lint exited {exitCode}:\n{output}{errors}");
    }

    [LinuxX64Fact]
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

    [LinuxX64Fact]
    public void AppSettings_CoverEverySettingTheAppReads()
    {
        var settings = AppSettings();

        var missing = SettingsTheAppReads().Select(s => s.Name).Concat(IdentitySettings).Where(name => !settings.ContainsKey(name)).ToList();

        Assert.True(missing.Count == 0, $"The function app is not given: {string.Join(", ", missing)}");
    }

    [LinuxX64Fact]
    public void AppSettings_HaveTheAppsOwnDefaults()
    {
        var settings = AppSettings();

        foreach (var (name, appDefault) in SettingsTheAppReads())
        {
            Assert.True(settings.TryGetValue(name, out var value), $"{name} is not set.");
            Assert.True(appDefault == value as string, $"{name} defaults to '{value}' in the template but '{appDefault}' in the app.");
        }
    }

    [LinuxX64Fact]
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

    [LinuxX64Fact]
    public void StorageAccount_RefusesKeysAnonymousReadsAndOldTls()
    {
        var properties = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts")).GetProperty("properties");

        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean(), "shared-key access must be off");
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean(), "public blob access must be off");
        Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
        Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean(), "the account must take HTTPS only");
    }

    [LinuxX64Fact]
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

    [LinuxX64Fact]
    public void Queues_AlwaysIncludeThePoisonQueueTheTriggerMovesMessagesTo()
    {
        // The identity may not create queues, so the trigger's poison queue must exist even when
        // the app parks its dead letters elsewhere.
        var app = compiled.Main.With("deadLetterQueueName", "parked").Module("app");

        var queues = LoopNames(app, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(["notifications", "parked", "work-items", "work-items-poison"], queues.Order(StringComparer.Ordinal));
    }

    [LinuxX64Fact]
    public void Containers_AreTheAppsDefaultContainersTheDeploymentPackageAndTheHostsOwn()
    {
        var containers = LoopNames("Microsoft.Storage/storageAccounts/blobServices/containers");

        var extra = containers.Except(AppContainers()).ToList();
        Assert.Empty(AppContainers().Except(containers));
        // The package container is the one the platform deploys from: <blob endpoint><container>.
        var deployment = (string)compiled.App.Evaluate(FunctionAppConfig().GetProperty("deployment").GetProperty("storage").GetProperty("value"))!;
        Assert.StartsWith("<blob>", deployment, StringComparison.Ordinal);
        Assert.Equal([deployment["<blob>".Length..], .. HostContainers], extra.Order(StringComparer.Ordinal));
        Assert.Equal("None", Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"))
            .GetProperty("properties").GetProperty("publicAccess").GetString());
    }

    [LinuxX64Fact]
    public void LifecyclePolicy_ExpiresSentKeysAfterTheParametersDays_AndNeverDeadLetterBodies()
    {
        var defaults = EffectiveOptions();
        var policy = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts/managementPolicies"));
        var rule = Assert.Single(((IList<object?>)((IDictionary<string, object?>)compiled.App.Evaluate(policy.GetProperty("properties").GetProperty("policy"))!)["rules"]!)
            .Cast<IDictionary<string, object?>>());
        var definition = (IDictionary<string, object?>)rule["definition"]!;
        var prefixes = (IList<object?>)((IDictionary<string, object?>)definition["filters"]!)["prefixMatch"]!;
        var delete = (IDictionary<string, object?>)((IDictionary<string, object?>)((IDictionary<string, object?>)definition["actions"]!)["baseBlob"]!)["delete"]!;

        // A dead-lettered body must live as long as its envelope, which never expires.
        Assert.Equal(((NotificationsOptions)defaults[typeof(NotificationsOptions)]).SentKeysContainerName + "/", Assert.Single(prefixes.Cast<string>()));
        Assert.Equal(compiled.Main.Parameter("expireBlobsAfterDays"), delete["daysAfterModificationGreaterThan"]);
    }

    [LinuxX64Fact]
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

    [LinuxX64Fact]
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

    [LinuxX64Fact]
    public void RoleAssignments_NoStorageRoleIsOnTheAccountOnlyOnSingleContainersAndQueues()
    {
        var assignments = RoleAssignments(compiled.Main.With("principalId", UserId).Module("app"));

        // A storage role anywhere, or any role on the account or below it.
        var storage = assignments.Where(a => StorageRoles.ContainsKey(a.Role) || a.Scope.Contains("/providers/Microsoft.Storage/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(storage);
        foreach (var assignment in storage)
        {
            Assert.True(
                assignment.Scope.Contains("/blobServices/default/containers/", StringComparison.Ordinal)
                    || assignment.Scope.Contains("/queueServices/default/queues/", StringComparison.Ordinal),
                $"{StorageRoles.GetValueOrDefault(assignment.Role, assignment.Role)} for {assignment.Principal} is on {assignment.Scope}, not on one container or queue.");
        }

        Assert.DoesNotContain(assignments, a => a.Role == Roles.BlobDataOwner);
    }

    [LinuxX64Fact]
    public void RoleAssignments_GiveTheIdentityWhatTheHostAndTheAppUseAndNoMore()
    {
        var defaults = EffectiveOptions();
        var dispatch = (DispatchOptions)defaults[typeof(DispatchOptions)];
        var outbox = ((NotificationsOptions)defaults[typeof(NotificationsOptions)]).OutboxQueueName;
        var package = ((string)compiled.App.Evaluate(FunctionAppConfig().GetProperty("deployment").GetProperty("storage").GetProperty("value"))!)["<blob>".Length..];
        var expected = new List<(string Role, string Scope)>
        {
            (Roles.QueueDataContributor, QueueScope(dispatch.WorkItemsQueueName)),
            (Roles.QueueDataContributor, QueueScope(dispatch.DeadLetterQueueName)),
            (Roles.QueueDataMessageSender, QueueScope(outbox)),
        };
        expected.AddRange(AppContainers().Append(package).Concat(HostContainers).Select(c => (Roles.BlobDataContributor, ContainerScope(c))));

        var identity = RoleAssignments(compiled.App).Where(a => a.Principal == AppIdentity).ToList();

        Assert.Equal(
            expected.Order(),
            identity.Where(a => StorageRoles.ContainsKey(a.Role)).Select(a => (a.Role, a.Scope)).Order());
        var publisher = Assert.Single(identity, a => !StorageRoles.ContainsKey(a.Role));
        Assert.Equal(Roles.MonitoringMetricsPublisher, publisher.Role);
        Assert.Contains("/providers/Microsoft.Insights/components/", publisher.Scope, StringComparison.Ordinal);
    }

    [LinuxX64Fact]
    public void RoleAssignments_LetTheUserEnqueueWorkAndReadWhatTheAppWrote()
    {
        var app = compiled.Main.With("principalId", UserId).Module("app");
        var defaults = EffectiveOptions();
        var dispatch = (DispatchOptions)defaults[typeof(DispatchOptions)];
        var outbox = ((NotificationsOptions)defaults[typeof(NotificationsOptions)]).OutboxQueueName;
        var expected = new List<(string Role, string Scope)>
        {
            (Roles.QueueDataContributor, QueueScope(dispatch.WorkItemsQueueName)),
            (Roles.QueueDataReader, QueueScope(dispatch.DeadLetterQueueName)),
            (Roles.QueueDataReader, QueueScope(outbox)),
        };
        expected.AddRange(AppContainers().Select(c => (Roles.BlobDataReader, ContainerScope(c))));

        var user = RoleAssignments(app).Where(a => a.Principal == UserId).Select(a => (a.Role, a.Scope)).Order();

        Assert.Equal(expected.Order(), user);
        Assert.DoesNotContain(RoleAssignments(compiled.App), a => a.Principal != AppIdentity);
    }

    [LinuxX64Fact]
    public void BlobService_KeepsDeletedBlobsAndContainersForTheParametersDays()
    {
        foreach (var days in new[] { (long)compiled.Main.Parameter("softDeleteRetentionDays")!, 30L })
        {
            var app = compiled.Main.With("softDeleteRetentionDays", days).Module("app");
            var properties = (IDictionary<string, object?>)app.Evaluate(
                Assert.Single(app.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices")).GetProperty("properties"))!;

            foreach (var policy in new[] { "deleteRetentionPolicy", "containerDeleteRetentionPolicy" })
            {
                var retention = (IDictionary<string, object?>)properties[policy]!;
                Assert.True((bool)retention["enabled"]!, $"{policy} must be on");
                Assert.Equal(days, retention["days"]);
            }
        }
    }

    [LinuxX64Fact]
    public void DiagnosticSettings_SendTheBlobAndQueueServicesWritesAndDeletesToTheWorkspace()
    {
        var settings = compiled.App.ResourcesOfType("Microsoft.Insights/diagnosticSettings");

        var scopes = settings.Select(s => (string)compiled.App.Evaluate(s.GetProperty("scope"))!).ToList();
        Assert.Equal(2, scopes.Count);
        Assert.All(scopes, s => Assert.Contains("/providers/Microsoft.Storage/storageAccounts/", s, StringComparison.Ordinal));
        Assert.Single(scopes, s => s.EndsWith("/blobServices/default", StringComparison.Ordinal));
        Assert.Single(scopes, s => s.EndsWith("/queueServices/default", StringComparison.Ordinal));
        foreach (var setting in settings)
        {
            var properties = (IDictionary<string, object?>)compiled.App.Evaluate(setting.GetProperty("properties"))!;
            var logs = ((IList<object?>)properties["logs"]!).Cast<IDictionary<string, object?>>().ToList();
            Assert.All(logs, l => Assert.True((bool)l["enabled"]!));
            Assert.Equal(["StorageDelete", "StorageWrite"], logs.Select(l => (string)l["category"]!).Order(StringComparer.Ordinal));
            Assert.Contains("/providers/Microsoft.OperationalInsights/workspaces/", (string)properties["workspaceId"]!, StringComparison.Ordinal);
        }
    }

    [LinuxX64Fact]
    public void LogAnalytics_TakesTokensOnly()
    {
        var workspace = Assert.Single(compiled.App.ResourcesOfType("Microsoft.OperationalInsights/workspaces"));

        Assert.True(workspace.GetProperty("properties").GetProperty("features").GetProperty("disableLocalAuth").GetBoolean(), "local authentication must be off");
    }

    [LinuxX64Fact]
    public void StorageAccount_PublicNetworkAccessIsTheParametersEnabledByDefault()
    {
        Assert.Equal("Enabled", compiled.Main.Parameter("storagePublicNetworkAccess"));
        foreach (var access in new[] { "Enabled", "Disabled" })
        {
            var app = compiled.Main.With("storagePublicNetworkAccess", access).Module("app");
            var properties = Assert.Single(app.ResourcesOfType("Microsoft.Storage/storageAccounts")).GetProperty("properties");

            Assert.Equal(access, app.Evaluate(properties.GetProperty("publicNetworkAccess")));
        }
    }

    [LinuxX64Fact]
    public void ApplicationInsights_TakesTokensOnlyAndSendsToLogAnalytics()
    {
        var properties = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Insights/components")).GetProperty("properties");

        Assert.True(properties.GetProperty("DisableLocalAuth").GetBoolean(), "local authentication must be off");
        Assert.Contains("Microsoft.OperationalInsights/workspaces", properties.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.Contains("AAD", (string)AppSettings()["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!, StringComparison.Ordinal);
    }

    [LinuxX64Fact]
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

    [LinuxX64Fact]
    public void DeadLetterAlert_WithAnEmailAddress_MailsItThroughAnActionGroup()
    {
        var app = compiled.Main.With("alertEmail", "ops@example.com").Module("app");
        var group = Assert.Single(app.ResourcesOfType("Microsoft.Insights/actionGroups"));

        Assert.True(IsDeployed(app, group), "the action group must be deployed when an address is given");
        var receiver = Assert.Single((IList<object?>)((IDictionary<string, object?>)app.Evaluate(group.GetProperty("properties"))!)["emailReceivers"]!);
        Assert.Equal("ops@example.com", ((IDictionary<string, object?>)receiver!)["emailAddress"]);
        var groupId = $"/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers/Microsoft.Insights/actionGroups/{app.Evaluate(group.GetProperty("name"))}";
        Assert.Equal([groupId], AlertActionGroups(app));
    }

    [LinuxX64Fact]
    public void DeadLetterAlert_WithoutAnEmailAddress_HasNoActionGroup()
    {
        Assert.Equal("", compiled.Main.Parameter("alertEmail"));

        var group = Assert.Single(compiled.App.ResourcesOfType("Microsoft.Insights/actionGroups"));

        Assert.False(IsDeployed(compiled.App, group), "no action group without an address");
        Assert.Empty(AlertActionGroups(compiled.App));
    }

    [LinuxX64Fact]
    public void VirtualNetwork_IsOffByDefault()
    {
        Assert.False((bool)compiled.Main.Parameter("vnetEnabled")!);

        Assert.False(IsDeployed(compiled.App, NetworkDeployment(compiled.App)), "no network unless vnetEnabled");
        Assert.Null(compiled.App.Evaluate(Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites")).GetProperty("properties").GetProperty("virtualNetworkSubnetId")));
    }

    [LinuxX64Fact]
    public void VirtualNetwork_WhenEnabled_PutsTheAppInADelegatedSubnetAndStorageBehindPrivateEndpoints()
    {
        var app = compiled.Main.With("vnetEnabled", true).With("location", "westeurope").With("environmentName", "test").Module("app");
        Assert.True(IsDeployed(app, NetworkDeployment(app)), "vnetEnabled must deploy the network");
        var network = app.Module("network");

        // The app joins the subnet the network module puts out, delegated to Flex Consumption.
        var subnetId = Assert.Single(app.ResourcesOfType("Microsoft.Web/sites")).GetProperty("properties").GetProperty("virtualNetworkSubnetId").GetString();
        Assert.Contains("reference('network').outputs.appSubnetId", subnetId, StringComparison.Ordinal);
        var appSubnetOutput = network.Evaluate(network.Outputs.GetProperty("appSubnetId").GetProperty("value")) as string;
        var subnets = network.ResourcesOfType("Microsoft.Network/virtualNetworks/subnets");
        var appSubnet = Assert.Single(subnets, s => appSubnetOutput!.EndsWith("/subnets/" + ((string)network.Evaluate(s.GetProperty("name"))!).Split('/')[^1], StringComparison.Ordinal));
        var delegation = Assert.Single(appSubnet.GetProperty("properties").GetProperty("delegations").EnumerateArray());
        Assert.Equal("Microsoft.App/environments", delegation.GetProperty("properties").GetProperty("serviceName").GetString());

        // One private endpoint per storage service the app uses, to the app's account, each with its zone.
        var storageId = StorageAccountId();
        var endpoints = Expand(network, Assert.Single(network.ResourcesOfType("Microsoft.Network/privateEndpoints")));
        var services = endpoints.Select(e =>
        {
            var connection = (IDictionary<string, object?>)((IDictionary<string, object?>)Assert.Single((IList<object?>)((IDictionary<string, object?>)e["properties"]!)["privateLinkServiceConnections"]!)!)["properties"]!;
            Assert.Equal(storageId, connection["privateLinkServiceId"]);
            return (string)Assert.Single((IList<object?>)connection["groupIds"]!)!;
        });
        Assert.Equal(["blob", "queue"], services.Order(StringComparer.Ordinal));
        var zones = Expand(network, Assert.Single(network.ResourcesOfType("Microsoft.Network/privateDnsZones"))).Select(z => (string)z["name"]!);
        Assert.Equal(["privatelink.blob.", "privatelink.queue."], zones.Select(z => z[..(z.IndexOf('.', "privatelink.".Length) + 1)]).Order(StringComparer.Ordinal));
        Assert.Equal(2, Expand(network, Assert.Single(network.ResourcesOfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"))).Count);
        Assert.Equal(2, Expand(network, Assert.Single(network.ResourcesOfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"))).Count);
    }

    [LinuxX64Fact]
    public void MainParametersFile_SetsOnlyParametersTheTemplateDeclares()
    {
        // azd fills infra/main.parameters.json from its environment; a misspelt name there would
        // fail only at deployment.
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "main.parameters.json")));

        var names = file.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("alertEmail", names);
        Assert.Contains("vnetEnabled", names);
        Assert.Empty(names.Except(compiled.Main.ParameterNames, StringComparer.Ordinal));
    }

    [LinuxX64Fact]
    public void BicepFiles_UseNoRegistryModules()
    {
        // Registry modules (br:, br/public:) need a registry our machines cannot reach.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "infra"), "*.bicep"))
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains("'br:", StringComparison.Ordinal) || text.Contains("'br/", StringComparison.Ordinal), $"{file} uses a registry module.");
        }
    }

    /// <summary>Every setting the app binds, with the value the real composition root gives it when the setting is absent.</summary>
    private static IReadOnlyList<(string Name, string Value)> SettingsTheAppReads() => SettingsCatalogue.OptionSettings();

    private static Dictionary<Type, object> EffectiveOptions() => SettingsCatalogue.EffectiveOptions();

    private Dictionary<string, object?> AppSettings() => SettingsAgreeTests.TemplateAppSettings(compiled.App);

    private JsonElement FunctionAppConfig() =>
        Assert.Single(compiled.App.ResourcesOfType("Microsoft.Web/sites")).GetProperty("properties").GetProperty("functionAppConfig");

    /// <summary>The names a copy loop creates (the last segment of each child resource name).</summary>
    private List<string> LoopNames(string type) => LoopNames(compiled.App, type);

    private static List<string> LoopNames(ArmTemplate template, string type) =>
        [.. Expand(template, Assert.Single(template.ResourcesOfType(type))).Select(r => ((string)r["name"]!).Split('/')[^1])];

    /// <summary>The resources a declaration deploys: one per copy index that its condition lets through, evaluated.</summary>
    private static List<IDictionary<string, object?>> Expand(ArmTemplate template, JsonElement resource)
    {
        var indexes = resource.TryGetProperty("copy", out var copy)
            ? Enumerable.Range(0, (int)(long)template.Evaluate(copy.GetProperty("count"))!).Select(i => (int?)i)
            : [null];
        return [.. indexes
            .Where(i => !resource.TryGetProperty("condition", out var condition) || (bool)template.Evaluate(condition, i)!)
            .Select(i => (IDictionary<string, object?>)template.Evaluate(resource, i)!)];
    }

    private static bool IsDeployed(ArmTemplate template, JsonElement resource) =>
        !resource.TryGetProperty("condition", out var condition) || (bool)template.Evaluate(condition)!;

    private static JsonElement NetworkDeployment(ArmTemplate app) =>
        Assert.Single(app.ResourcesOfType("Microsoft.Resources/deployments"), d => app.Evaluate(d.GetProperty("name")) as string == "network");

    private static List<string> AlertActionGroups(ArmTemplate app)
    {
        var rule = Assert.Single(app.ResourcesOfType("Microsoft.Insights/scheduledQueryRules"));
        return [.. ((IList<object?>)app.Evaluate(rule.GetProperty("properties").GetProperty("actions").GetProperty("actionGroups"))!).Cast<string>()];
    }

    /// <summary>Built-in role definition ids (the same in every tenant), as Azure's built-in roles list them.</summary>
    private static class Roles
    {
        public const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        public const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
        public const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string QueueDataReader = "19e7f393-937e-4f77-808e-94535e297925";
        public const string QueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    }

    private static readonly Dictionary<string, string> StorageRoles = new(StringComparer.Ordinal)
    {
        [Roles.BlobDataOwner] = "Storage Blob Data Owner",
        [Roles.BlobDataContributor] = "Storage Blob Data Contributor",
        [Roles.BlobDataReader] = "Storage Blob Data Reader",
        [Roles.QueueDataContributor] = "Storage Queue Data Contributor",
        [Roles.QueueDataReader] = "Storage Queue Data Reader",
        [Roles.QueueDataMessageSender] = "Storage Queue Data Message Sender",
        ["8a0f0c08-91a1-4084-bc3d-661d67233fed"] = "Storage Queue Data Message Processor",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
    };

    /// <summary>An object id standing for the person running azd.</summary>
    private const string UserId = "00000000-0000-0000-0000-0000000000aa";

    /// <summary>How the compiled template names the app identity's principal id.</summary>
    private string AppIdentity => $"[reference('{compiled.App.SymbolicName("Microsoft.ManagedIdentity/userAssignedIdentities")}').principalId]";

    /// <summary>The Functions host's own containers (locks, keys) in AzureWebJobsStorage.</summary>
    private static readonly string[] HostContainers = ["azure-webjobs-hosts", "azure-webjobs-secrets"];

    private static string[] AppContainers()
    {
        var defaults = EffectiveOptions();
        return
        [
            ((ReportsOptions)defaults[typeof(ReportsOptions)]).ContainerName,
            ((DispatchOptions)defaults[typeof(DispatchOptions)]).DeadLetterContainerName,
            ((NotificationsOptions)defaults[typeof(NotificationsOptions)]).SentKeysContainerName,
        ];
    }

    private string ContainerScope(string container) => $"{StorageAccountId()}/blobServices/default/containers/{container}";

    private string QueueScope(string queue) => $"{StorageAccountId()}/queueServices/default/queues/{queue}";

    private string StorageAccountId() =>
        $"/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers/Microsoft.Storage/storageAccounts/{compiled.App.Evaluate(Assert.Single(compiled.App.ResourcesOfType("Microsoft.Storage/storageAccounts")).GetProperty("name"))}";

    /// <summary>
    /// Every role assignment the module deploys: who (the identity as the template names it, or the
    /// user's object id), which role (its id), and on what (the scope's resource id).
    /// </summary>
    private List<(string Principal, string Role, string Scope)> RoleAssignments(ArmTemplate app) =>
        [.. app.ResourcesOfType("Microsoft.Authorization/roleAssignments").SelectMany(resource =>
        {
            var principal = resource.GetProperty("properties").GetProperty("principalId").GetString()!;
            return Expand(app, resource).Select(a =>
            {
                var properties = (IDictionary<string, object?>)a["properties"]!;
                return (
                    principal == AppIdentity ? principal : (string)properties["principalId"]!,
                    ((string)properties["roleDefinitionId"]!).Split('/')[^1],
                    a.TryGetValue("scope", out var scope) ? (string)scope! : "<the resource group>");
            });
        })];
}
