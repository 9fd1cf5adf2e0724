using System.Reflection;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Storage;
using FunctionsApp.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// The Kubernetes manifests (<c>deploy/kubernetes/</c>), every document parsed: each Deployment
/// runs the functions the app has (the queue function alone, the HTTP functions together), KEDA
/// scales the queue Deployment on the queue the app reads with workload identity, and no manifest
/// holds a key or a connection string. Whether their settings agree with the app's is
/// <see cref="SettingsAgreeTests"/>. No cluster runs here: these are the checks short of one.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class KubernetesManifestsTests
{
    private const string FunctionsSettingPrefix = "AzureFunctionsJobHost__functions__";
    private const string WorkloadIdentityUse = "azure.workload.identity/use";
    private const string WorkloadIdentityClientId = "azure.workload.identity/client-id";

    private readonly KubernetesManifests manifests = KubernetesManifests.Load();

    [Fact]
    public void Manifests_AreTheResourcesTheDocsDescribe()
    {
        var kinds = manifests.Resources.Select(r => r.Kind).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "ScaledObject", "Service", "ServiceAccount", "TriggerAuthentication"], kinds);
    }

    [Fact]
    public void Deployments_EachRunTheirFunctions_AndTogetherAllOfThem()
    {
        var queueFunctions = FunctionsWithTrigger("QueueTriggerAttribute");
        var httpFunctions = FunctionsWithTrigger("HttpTriggerAttribute");
        Assert.Equal([Functions.ProcessWorkItemFunction.Name], queueFunctions);
        Assert.Equal(AllFunctions().Count, queueFunctions.Count + httpFunctions.Count);

        Assert.Equal(queueFunctions, FunctionsRunBy(QueueDeployment));
        Assert.Equal(httpFunctions, FunctionsRunBy(HttpDeployment).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void ScaledObject_ScalesTheQueueDeployment_OnTheWorkQueue_WithWorkloadIdentity()
    {
        var scaled = manifests.Only("ScaledObject");
        var trigger = Assert.Single(KubernetesManifests.Maps(scaled.At("spec", "triggers")));
        var metadata = (IDictionary<object, object>)trigger["metadata"];
        var settings = ConfigMapData();

        Assert.Equal(QueueDeployment.Name, scaled.At("spec", "scaleTargetRef", "name"));
        Assert.Equal("azure-queue", trigger["type"]);
        // The literal queue name (KEDA resolves no %setting%): the one the app's setting names.
        Assert.Equal(settings[AppServices.WorkItemsQueueSetting], metadata["queueName"]);
        Assert.Equal(DispatchOptions.FallbackWorkItemsQueueName, metadata["queueName"]);
        Assert.Equal(settings[$"{AppServices.StorageConnectionSetting}__{StorageConnection.AccountNameKey}"], metadata["accountName"]);
        Assert.Equal("AzurePublicCloud", metadata["cloud"]);
        // The field names of KEDA's azure-queue scaler, and none that carries a connection string.
        Assert.Empty(metadata.Keys.Cast<string>().Except(["queueName", "queueLength", "activationQueueLength", "accountName", "cloud"]));

        var authentication = manifests.Only("TriggerAuthentication", (string)((IDictionary<object, object>)trigger["authenticationRef"])["name"]);
        Assert.Equal("azure-workload", authentication.At("spec", "podIdentity", "provider"));
        Assert.Equal(ServiceAccountClientId(), authentication.At("spec", "podIdentity", "identityId"));
        Assert.Equal(["podIdentity"], ((IDictionary<object, object>)authentication.At("spec")!).Keys.Cast<string>());
    }

    [Fact]
    public void ScaledObject_QueueLengthPerPod_IsWhatOneHostTakesAtOnce()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var batchSize = hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("batchSize").GetInt32();
        var trigger = Assert.Single(KubernetesManifests.Maps(manifests.Only("ScaledObject").At("spec", "triggers")));

        Assert.True(
            ((IDictionary<object, object>)trigger["metadata"])["queueLength"] as string == batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"queueLength must be host.json's batchSize ({batchSize}): one pod's host takes that many messages at a time.");
    }

    [Fact]
    public void Pods_SignInWithWorkloadIdentity_AndReadTheSettingsConfigMap()
    {
        var account = manifests.Only("ServiceAccount");
        Assert.True(Guid.TryParse(ServiceAccountClientId(), out _), $"The service account's {WorkloadIdentityClientId} is not a client id.");
        var configMap = manifests.Only("ConfigMap");

        foreach (var deployment in new[] { QueueDeployment, HttpDeployment })
        {
            Assert.Equal(account.Name, deployment.At("spec", "template", "spec", "serviceAccountName"));
            Assert.Equal("true", deployment.At("spec", "template", "metadata", "labels", WorkloadIdentityUse));
            var container = Assert.Single(KubernetesManifests.Maps(deployment.At("spec", "template", "spec", "containers")));
            var sources = KubernetesManifests.Maps(container["envFrom"]).Select(s => KubernetesManifests.Scalars(s).Single());
            Assert.Equal([("/configMapRef/name", configMap.Name)], sources);
            Assert.Equal("true", deployment.At("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        }

        Assert.Equal(
            QueueDeployment.At("spec", "template", "spec", "containers") is IList<object> q ? ((IDictionary<object, object>)q[0])["image"] : null,
            HttpDeployment.At("spec", "template", "spec", "containers") is IList<object> h ? ((IDictionary<object, object>)h[0])["image"] : null);
    }

    [Fact]
    public void Service_ReachesTheHttpPods_OnThePortTheImageListensOn()
    {
        var service = manifests.Only("Service");
        var selector = (IDictionary<object, object>)service.At("spec", "selector")!;
        var labels = (IDictionary<object, object>)HttpDeployment.At("spec", "template", "metadata", "labels")!;
        Assert.All(selector, pair => Assert.Equal(pair.Value, labels.TryGetValue(pair.Key, out var value) ? value : null));
        Assert.False(selector.All(pair => ((IDictionary<object, object>)QueueDeployment.At("spec", "template", "metadata", "labels")!).TryGetValue(pair.Key, out var v) && Equals(v, pair.Value)),
            "The Service's selector also matches the queue pods.");

        var port = Assert.Single(KubernetesManifests.Maps(service.At("spec", "ports")));
        var container = Assert.Single(KubernetesManifests.Maps(HttpDeployment.At("spec", "template", "spec", "containers")));
        var containerPort = Assert.Single(KubernetesManifests.Maps(container["ports"]), p => Equals(p["name"], port["targetPort"]));
        var exposed = Assert.Single(RepositoryDockerfile.Load().Instructions, i => i.Keyword == "EXPOSE").Arguments[0];
        Assert.Equal(exposed, containerPort["containerPort"]);
    }

    [Fact]
    public void NoManifest_HoldsAKeyOrAConnectionString()
    {
        Assert.DoesNotContain(manifests.Resources, r => r.Kind == "Secret");

        var problems = new List<string>();
        foreach (var resource in manifests.Resources)
        {
            foreach (var (path, value) in KubernetesManifests.Scalars(resource.Document))
            {
                if (new[] { "AccountKey=", "SharedAccessSignature=", "SharedAccessKey=", "UseDevelopmentStorage", "DefaultEndpointsProtocol=", "InstrumentationKey=" }
                    .Any(marker => value.Contains(marker, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"{resource.File} {path}: a connection string or key.");
                }

                // A setting that takes a secret or a connection string, or KEDA's connection fields.
                var key = path[(path.LastIndexOf('/') + 1)..];
                if (key is "connection" or "connectionFromEnv" or "secretTargetRef"
                    || key == AppServices.StorageConnectionSetting
                    || key.StartsWith(StorageConnection.ConnectionStringsSection + "__", StringComparison.Ordinal)
                    || key.EndsWith($"__{StorageConnection.ClientSecretKey}", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{resource.File} {path}: a setting for a secret or connection string.");
                }
            }

            // Environment variables by name: a value under `name: AzureWebJobsStorage` is a connection string.
            foreach (var env in KubernetesManifests.Scalars(resource.Document).Where(s => s.Path.EndsWith("/name", StringComparison.Ordinal) && s.Path.Contains("/env/", StringComparison.Ordinal)))
            {
                if (env.Value == AppServices.StorageConnectionSetting || env.Value.EndsWith($"__{StorageConnection.ClientSecretKey}", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{resource.File} {env.Path}: {env.Value} would hold a secret.");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void ConfigMap_WithWhatTheWebhookInjects_IsAWorkloadIdentityConnectionToTheScaledAccount()
    {
        // What the workload identity webhook puts in each pod, as section settings (the factory
        // takes either); the rest is the ConfigMap as the pod's environment.
        var settings = ConfigMapData().Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)).ToList();
        settings.Add(KeyValuePair.Create($"{AppServices.StorageConnectionSetting}:{StorageConnection.TenantIdKey}", (string?)"00000000-0000-0000-0000-00000000000a"));
        settings.Add(KeyValuePair.Create($"{AppServices.StorageConnectionSetting}:{StorageConnection.ClientIdKey}", (string?)ServiceAccountClientId()));
        settings.Add(KeyValuePair.Create($"{AppServices.StorageConnectionSetting}:{StorageConnection.TokenFilePathKey}", (string?)"/var/run/secrets/azure/tokens/azure-identity-token"));

        var connection = StorageConnection.Resolve(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), AppServices.StorageConnectionSetting);

        Assert.True(connection.IsIdentityBased);
        Assert.Equal(StorageConnection.WorkloadIdentity, ConfigMapData()[$"{AppServices.StorageConnectionSetting}__{StorageConnection.CredentialKey}"]);
        var trigger = Assert.Single(KubernetesManifests.Maps(manifests.Only("ScaledObject").At("spec", "triggers")));
        Assert.Equal($"https://{((IDictionary<object, object>)trigger["metadata"])["accountName"]}.queue.core.windows.net/", connection.QueueServiceUri!.ToString());
    }

    /// <summary>The ConfigMap's data: the settings both Deployments get.</summary>
    internal static Dictionary<string, string> ConfigMapData() =>
        ((IDictionary<object, object>)KubernetesManifests.Load().Only("ConfigMap").At("data")!)
            .ToDictionary(p => (string)p.Key, p => (string)p.Value, StringComparer.Ordinal);

    private KubernetesManifests.Resource QueueDeployment => manifests.Only("Deployment", "functionsapp-queue");

    private KubernetesManifests.Resource HttpDeployment => manifests.Only("Deployment", "functionsapp-http");

    private string ServiceAccountClientId() =>
        (string)manifests.Only("ServiceAccount").At("metadata", "annotations", WorkloadIdentityClientId)!;

    /// <summary>The function list a Deployment gives its host, checked to be numbered 0, 1, 2... as the host binds it.</summary>
    private static List<string> FunctionsRunBy(KubernetesManifests.Resource deployment)
    {
        var container = Assert.Single(KubernetesManifests.Maps(deployment.At("spec", "template", "spec", "containers")));
        var entries = KubernetesManifests.Maps(container["env"])
            .Where(e => ((string)e["name"]).StartsWith(FunctionsSettingPrefix, StringComparison.Ordinal))
            .Select(e => (Index: int.Parse(((string)e["name"])[FunctionsSettingPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture), Name: (string)e["value"]))
            .ToList();
        Assert.Equal(Enumerable.Range(0, entries.Count), entries.Select(e => e.Index));
        return [.. entries.Select(e => e.Name)];
    }

    private static List<(string Name, MethodInfo Method)> AllFunctions() =>
        [.. typeof(AppServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .Select(m => (m.GetCustomAttribute<FunctionAttribute>()!.Name, m))];

    private static List<string> FunctionsWithTrigger(string attributeName) =>
        [.. AllFunctions()
            .Where(f => f.Method.GetParameters().Any(p => p.GetCustomAttributes().Any(a => a.GetType().Name == attributeName)))
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal)];
}
