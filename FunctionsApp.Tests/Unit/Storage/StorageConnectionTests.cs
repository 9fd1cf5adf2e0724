using Azure.Core;
using Azure.Identity;
using FunctionsApp.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Unit.Storage;

public sealed class StorageConnectionTests
{
    private const string Name = "AzureWebJobsStorage";

    private static StorageConnection Resolve(params (string Key, string? Value)[] settings) =>
        StorageConnection.Resolve(Configuration(settings), Name);

    // Keys as app settings spell them (AzureWebJobsStorage__blobServiceUri); the environment
    // variable provider turns "__" into the ":" that sections use, as the worker's host does.
    private static IConfiguration Configuration((string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();

    // The factory the Functions storage extensions get from the container, with its defaults.
    private static readonly AzureComponentFactory Factory = ComponentFactory();

    private static AzureComponentFactory ComponentFactory()
    {
        var services = new ServiceCollection();
        services.AddAzureClientsCore();
        return services.BuildServiceProvider().GetRequiredService<AzureComponentFactory>();
    }

    private static TokenCredential? Credential(params (string Key, string? Value)[] settings) =>
        Resolve([($"{Name}__accountName", "acct42"), .. settings]).CreateCredential(Factory);

    private static string Error(params (string Key, string? Value)[] settings) =>
        Assert.Throws<InvalidOperationException>(() => Resolve(settings)).Message;

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")]
    [InlineData("BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1")]
    public void Resolve_Value_IsAConnectionString(string connectionString)
    {
        var connection = Resolve((Name, connectionString));

        Assert.Equal(connectionString, connection.ConnectionString);
        Assert.False(connection.IsIdentityBased);
        Assert.Null(connection.BlobServiceUri);
        Assert.Null(connection.QueueServiceUri);
        Assert.Null(connection.CreateCredential(Factory));
    }

    [Fact]
    public void Resolve_ValueAndSection_ValueWins()
    {
        // The extensions read a value first; children are only looked at when it is empty.
        var connection = Resolve((Name, "UseDevelopmentStorage=true"), ($"{Name}__blobServiceUri", "https://other.blob.core.windows.net"));

        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.Null(connection.BlobServiceUri);
    }

    [Fact]
    public void Resolve_ConnectionStringsEntry_WinsOverTheSetting()
    {
        // local.settings.json's ConnectionStrings section is read first by the extensions too.
        var connection = Resolve(($"ConnectionStrings__{Name}", "UseDevelopmentStorage=true"), ($"{Name}__accountName", "acct42"));

        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
    }

    [Fact]
    public void Resolve_ServiceUris_AreUsedAsGiven()
    {
        var connection = Resolve(
            ($"{Name}__blobServiceUri", "https://acct.blob.core.windows.net"),
            ($"{Name}__queueServiceUri", "https://acct.queue.core.windows.net"),
            ($"{Name}__credential", "managedidentity"),
            ($"{Name}__clientId", "00000000-0000-0000-0000-000000000001"));

        Assert.True(connection.IsIdentityBased);
        Assert.Null(connection.ConnectionString);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), connection.QueueServiceUri);
    }

    [Fact]
    public void Resolve_AccountName_MakesPublicCloudUris()
    {
        var connection = Resolve(($"{Name}__accountName", "acct42"), ($"{Name}__credential", "managedidentity"));

        Assert.Equal(new Uri("https://acct42.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct42.queue.core.windows.net"), connection.QueueServiceUri);
    }

    [Fact]
    public void Resolve_AccountNameAndServiceUris_AccountNameWins()
    {
        var connection = Resolve(
            ($"{Name}__accountName", "acct42"),
            ($"{Name}__blobServiceUri", "https://other.blob.core.windows.net"),
            ($"{Name}__queueServiceUri", "https://other.queue.core.windows.net"));

        Assert.Equal(new Uri("https://acct42.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct42.queue.core.windows.net"), connection.QueueServiceUri);
    }

    [Fact]
    public void Resolve_SettingNamesInAnyCase_AreFound()
    {
        // App settings are case-insensitive, and so is configuration.
        var connection = Resolve(($"{Name}__BlobServiceUri", "https://a.blob.core.windows.net"), ($"{Name}__QUEUESERVICEURI", "https://a.queue.core.windows.net"));

        Assert.Equal(new Uri("https://a.queue.core.windows.net"), connection.QueueServiceUri);
    }

    [Theory]
    [InlineData("ManagedIdentity", "clientId", "client")]
    [InlineData("managedidentity", "managedIdentityResourceId", "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app")]
    [InlineData("managedidentity", "tenantId", "")]
    public void CreateCredential_ManagedIdentity_IsAManagedIdentityCredential(string credential, string key, string value)
    {
        Assert.IsType<ManagedIdentityCredential>(Credential(($"{Name}__credential", credential), ($"{Name}__{key}", value)));
    }

    [Fact]
    public void CreateCredential_WorkloadIdentityFromSettings_IsAWorkloadIdentityCredential()
    {
        var credential = Credential(
            ($"{Name}__credential", "workloadidentity"),
            ($"{Name}__tenantId", "00000000-0000-0000-0000-00000000000a"),
            ($"{Name}__clientId", "00000000-0000-0000-0000-00000000000b"),
            ($"{Name}__tokenFilePath", "/var/run/secrets/azure/tokens/azure-identity-token"));

        Assert.IsType<WorkloadIdentityCredential>(credential);
    }

    [Fact]
    public void CreateCredential_TenantClientAndSecret_IsAClientSecretCredential()
    {
        var credential = Credential(($"{Name}__tenantId", "tenant"), ($"{Name}__clientId", "client"), ($"{Name}__clientSecret", "not-a-real-secret"));

        Assert.IsType<ClientSecretCredential>(credential);
    }

    [Fact]
    public void CreateCredential_CertificateThumbprintNotInTheStore_FailsNamingIt()
    {
        // The factory looks the thumbprint up in the store when it makes the credential.
        var error = Assert.Throws<InvalidOperationException>(() => Credential(
            ($"{Name}__tenantId", "tenant"), ($"{Name}__clientId", "client"), ($"{Name}__clientCertificate", "00112233445566778899AABBCCDDEEFF00112233")));

        Assert.Contains("00112233445566778899AABBCCDDEEFF00112233", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public void CreateCredential_NoCredentialSetting_IsDefaultAzureCredential(string? clientId)
    {
        // A client id alone names the managed identity DefaultAzureCredential tries, as in the factory.
        Assert.IsType<DefaultAzureCredential>(Credential(($"{Name}__clientId", clientId)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Resolve_NothingSet_NamesBothForms(string? value)
    {
        var message = Error((Name, value));

        Assert.Contains($"'{Name}'", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__blobServiceUri", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__queueServiceUri", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__accountName", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__credential", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OnlyCredentialAndClientId_NamesTheMissingUris()
    {
        var message = Error(($"{Name}__credential", "managedidentity"), ($"{Name}__clientId", "client"));

        Assert.Contains($"{Name}__blobServiceUri", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__queueServiceUri", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blobServiceUri", "queueServiceUri")]
    [InlineData("queueServiceUri", "blobServiceUri")]
    public void Resolve_OneServiceUri_NamesTheOtherOnly(string given, string missing)
    {
        var message = Error(($"{Name}__{given}", "https://acct.blob.core.windows.net"), ($"{Name}__credential", "managedidentity"));

        Assert.Contains($"{Name}__{missing}", message, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{Name}__{given}'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://acct.blob.core.windows.net")]
    [InlineData("acct.blob.core.windows.net")]
    [InlineData("not a uri")]
    public void Resolve_ServiceUriNotHttps_FailsNamingTheSetting(string uri)
    {
        var message = Error(($"{Name}__blobServiceUri", uri), ($"{Name}__queueServiceUri", "https://acct.queue.core.windows.net"));

        Assert.Contains($"{Name}__blobServiceUri", message, StringComparison.Ordinal);
        Assert.Contains("https", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Acct")]
    [InlineData("acct.evil.example")]
    [InlineData("acct-name")]
    [InlineData("abcdefghijklmnopqrstuvwxy")]
    public void Resolve_BadAccountName_FailsNamingTheSetting(string account)
    {
        Assert.Contains($"{Name}__accountName", Error(($"{Name}__accountName", account)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clientsecret")]
    [InlineData("managedidentiy")]
    [InlineData("azurecli")]
    public void Resolve_UnknownCredential_FailsNamingTheSetting(string credential)
    {
        // The factory would quietly fall back to DefaultAzureCredential: a typo signs in as someone else.
        var message = Error(($"{Name}__accountName", "acct42"), ($"{Name}__credential", credential));

        Assert.Contains($"{Name}__credential", message, StringComparison.Ordinal);
        Assert.Contains("managedidentity", message, StringComparison.Ordinal);
        Assert.Contains("workloadidentity", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ManagedIdentityNamedTwice_FailsNamingBothSettings()
    {
        var message = Error(
            ($"{Name}__accountName", "acct42"),
            ($"{Name}__credential", "managedidentity"),
            ($"{Name}__clientId", "client"),
            ($"{Name}__managedIdentityResourceId", "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"));

        Assert.Contains($"{Name}__clientId", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__managedIdentityResourceId", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenantId", "AZURE_TENANT_ID")]
    [InlineData("clientId", "AZURE_CLIENT_ID")]
    [InlineData("tokenFilePath", "AZURE_FEDERATED_TOKEN_FILE")]
    public void Resolve_WorkloadIdentityMissingOne_FailsNamingItAndItsVariable(string missing, string variable)
    {
        // In a process that has the variable (a pod) nothing would be missing: say so rather than pass.
        Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)), $"{variable} is set in the test process; unset it to run this test.");
        var settings = new List<(string, string?)> { ($"{Name}__accountName", "acct42"), ($"{Name}__credential", "workloadidentity") };
        settings.AddRange(new[] { "tenantId", "clientId", "tokenFilePath" }.Where(k => k != missing).Select(k => ($"{Name}__{k}", (string?)"x")));

        var message = Error([.. settings]);

        Assert.Contains($"{Name}__{missing}", message, StringComparison.Ordinal);
        Assert.Contains(variable, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("not a connection string")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not base64!")]
    public void Resolve_MalformedConnectionString_FailsWithoutEchoingIt(string connectionString)
    {
        var message = Error((Name, connectionString));

        Assert.Contains($"'{Name}'", message, StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, message, StringComparison.Ordinal);
    }
}
