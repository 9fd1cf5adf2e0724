using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Functions;
using FunctionsApp.Storage;
using FunctionsApp.Tests.Infrastructure;
using FunctionsHost;
using FunctionsHost.Rpc;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The credentials the storage setting names, made by the app's real AzureComponentFactory in the
/// real worker process, against an Azurite that checks bearer tokens: workload identity as a pod has
/// it (a federated token file and the variables the webhook sets) and a user-assigned managed
/// identity (the identity endpoint's variables), each getting its token from a local stand-in for
/// Entra ID. The worker trusts the one test certificate through SSL_CERT_FILE, as a child process
/// can; nothing in the app is replaced.
/// </summary>
[Trait("Category", "Identity")]
public sealed class IdentityCredentialEndToEndTests(OAuthAzurite azurite, ITestOutputHelper output) : IClassFixture<OAuthAzurite>, IAsyncLifetime
{
    private const string TenantId = "0b1f1f61-4b4c-4a35-9a36-6c2d1f7c0e11";
    private const string ClientId = "6a3e2f0c-1d5b-4c8e-9f7a-2b4d6e8f0a1c";

    private readonly AppStorageNames storage = new();
    private readonly UnsignedJwtCredential admin = new();
    private readonly string tokenFile = Path.Combine(Path.GetTempPath(), $"federated-token-{Guid.NewGuid():N}");
    private readonly string federatedToken = $"projected-service-account-token-{Guid.NewGuid():N}";

    public async Task InitializeAsync() => await File.WriteAllTextAsync(tokenFile, federatedToken);

    public async Task DisposeAsync()
    {
        File.Delete(tokenFile);
        await storage.DeleteAsync(
            new QueueServiceClient(azurite.QueueServiceUri, admin, new QueueClientOptions { Transport = azurite.Transport }),
            new BlobServiceClient(azurite.BlobServiceUri, admin, new BlobClientOptions { Transport = azurite.Transport }));
    }

    [Fact]
    public async Task WorkloadIdentity_FederatedTokenFile_SignsTheAppsRequests()
    {
        await using var entra = await LocalEntraId.StartAsync(azurite.Certificate);

        await RunReportAsync(entra, "r-workload", WorkloadIdentitySettings(entra), expectSuccess: true);

        // Every exchange (one, while the token lasts) sends the pod's token for the configured identity.
        var requests = entra.Requests.Where(r => r.Flow == "workload").ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal((TenantId, ClientId, federatedToken, "https://storage.azure.com/.default"), (r.Tenant, r.ClientId, r.Assertion, r.Scope)));
        Assert.Equal("r-workload", await ReportIdAsync("r-workload"));
    }

    [Fact]
    public async Task WorkloadIdentity_TokenRefusedByEntra_WritesNothing()
    {
        // Entra ID exchanges only a federated token it can verify; the app then has no storage token.
        await using var entra = await LocalEntraId.StartAsync(azurite.Certificate, acceptedAssertion: "another-token");

        await RunReportAsync(entra, "r-refused", WorkloadIdentitySettings(entra), expectSuccess: false);

        Assert.Contains(entra.Requests, r => r.Flow == "workload" && r.Assertion == federatedToken);
        Assert.False((await Blobs().GetBlobContainerClient(storage.ReportsContainer).GetBlobClient("r-refused.json").ExistsAsync()).Value);
    }

    [Fact]
    public async Task ManagedIdentity_UserAssignedByClientId_SignsTheAppsRequests()
    {
        await using var entra = await LocalEntraId.StartAsync(azurite.Certificate);

        await RunReportAsync(entra, "r-managed", new Dictionary<string, string>
        {
            [$"AzureWebJobsStorage__{StorageConnection.CredentialKey}"] = StorageConnection.ManagedIdentity,
            [$"AzureWebJobsStorage__{StorageConnection.ClientIdKey}"] = ClientId,
            // What App Service, Functions and Container Apps give a process with a managed identity.
            ["IDENTITY_ENDPOINT"] = entra.ManagedIdentityEndpoint.ToString(),
            ["IDENTITY_HEADER"] = entra.IdentityHeader,
        }, expectSuccess: true);

        var requests = entra.Requests.Where(r => r.Flow == "managed").ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal((ClientId, UnsignedJwtCredential.StorageAudience), (r.ClientId, r.Scope)));
        Assert.Equal("r-managed", await ReportIdAsync("r-managed"));
    }

    /// <summary>The credential setting, and what the Workload ID webhook puts in a pod's environment.</summary>
    private Dictionary<string, string> WorkloadIdentitySettings(LocalEntraId entra) => new()
    {
        [$"AzureWebJobsStorage__{StorageConnection.CredentialKey}"] = StorageConnection.WorkloadIdentity,
        ["AZURE_CLIENT_ID"] = ClientId,
        ["AZURE_TENANT_ID"] = TenantId,
        ["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile,
        ["AZURE_AUTHORITY_HOST"] = entra.AuthorityHost.ToString(),
    };

    /// <summary>Runs the worker with the identity-based storage settings plus <paramref name="credentialSettings"/>, and delivers one generate_report message.</summary>
    private async Task RunReportAsync(LocalEntraId entra, string reportId, Dictionary<string, string> credentialSettings, bool expectSuccess)
    {
        var settings = storage.AppSettings("");
        settings.Remove(AppServices.StorageConnectionSetting);
        settings[$"AzureWebJobsStorage__{StorageConnection.BlobServiceUriKey}"] = azurite.BlobServiceUri.ToString();
        settings[$"AzureWebJobsStorage__{StorageConnection.QueueServiceUriKey}"] = azurite.QueueServiceUri.ToString();
        // The worker trusts the test certificate (Azurite's and the stand-in's) and nothing else.
        settings["SSL_CERT_FILE"] = azurite.CertificatePemPath;
        settings["SSL_CERT_DIR"] = Path.GetDirectoryName(azurite.CertificatePemPath)!;
        foreach (var (name, value) in credentialSettings)
        {
            settings[name] = value;
        }

        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory,
            AppSettings = settings,
            EnableQueues = false,
            EnableHttp = false,
        });
        try
        {
            var response = await host.DeliverQueueMessageAsync(
                ProcessWorkItemFunction.Name, Guid.NewGuid().ToString(), $$"""{"action":"generate_report","report_id":"{{reportId}}"}""", 1);

            var succeeded = response.Result?.Status == StatusResult.Types.Status.Success;
            Assert.True(succeeded == expectSuccess, $"Expected the report to {(expectSuccess ? "succeed" : "fail")}; the worker answered {response.Result?.Status}: {response.Result?.Exception?.Message}");
        }
        finally
        {
            output.WriteLine(string.Join("\n", entra.Requests));
            host.Logs.WriteTo(output);
        }
    }

    private async Task<string?> ReportIdAsync(string reportId)
    {
        var blob = Blobs().GetBlobContainerClient(storage.ReportsContainer).GetBlobClient($"{reportId}.json");
        using var report = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content);
        return report.RootElement.GetProperty("report_id").GetString();
    }

    private BlobServiceClient Blobs() => new(azurite.BlobServiceUri, admin, new BlobClientOptions { Transport = azurite.Transport });
}
