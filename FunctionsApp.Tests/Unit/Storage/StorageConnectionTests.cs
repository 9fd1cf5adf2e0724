using Azure.Identity;
using FunctionsApp.Storage;
using Microsoft.Extensions.Configuration;

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
        Assert.Null(connection.CreateCredential());
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
        Assert.True(connection.UsesManagedIdentity);
        Assert.Equal("00000000-0000-0000-0000-000000000001", connection.ClientId);
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

    [Fact]
    public void CreateCredential_ManagedIdentity_IsAManagedIdentityCredential()
    {
        var connection = Resolve(($"{Name}__accountName", "acct42"), ($"{Name}__credential", "ManagedIdentity"), ($"{Name}__clientId", "client"));

        Assert.IsType<ManagedIdentityCredential>(connection.CreateCredential());
    }

    [Fact]
    public void CreateCredential_SystemAssignedManagedIdentity_IsAManagedIdentityCredential()
    {
        var connection = Resolve(($"{Name}__accountName", "acct42"), ($"{Name}__credential", "managedidentity"));

        Assert.Null(connection.ClientId);
        Assert.IsType<ManagedIdentityCredential>(connection.CreateCredential());
    }

    [Fact]
    public void CreateCredential_NoCredentialSetting_IsDefaultAzureCredential()
    {
        var connection = Resolve(($"{Name}__accountName", "acct42"));

        Assert.False(connection.UsesManagedIdentity);
        Assert.IsType<DefaultAzureCredential>(connection.CreateCredential());
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
    [InlineData("workloadidentity")]
    public void Resolve_UnsupportedCredential_FailsNamingTheSetting(string credential)
    {
        var message = Error(($"{Name}__accountName", "acct42"), ($"{Name}__credential", credential));

        Assert.Contains($"{Name}__credential", message, StringComparison.Ordinal);
        Assert.Contains("managedidentity", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ClientIdWithoutManagedIdentity_FailsNamingBothSettings()
    {
        var message = Error(($"{Name}__accountName", "acct42"), ($"{Name}__clientId", "client"));

        Assert.Contains($"{Name}__clientId", message, StringComparison.Ordinal);
        Assert.Contains($"{Name}__credential", message, StringComparison.Ordinal);
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
