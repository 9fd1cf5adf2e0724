using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Functions;
using FunctionsApp.Tests.Infrastructure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// The identity-based form of AzureWebJobsStorage against an Azurite that checks bearer tokens:
/// the app's clients, built by the real composition root from service URIs, sign every request
/// with a token, and hold no key that could make the test pass without one.
/// </summary>
[Trait("Category", "Identity")]
public sealed class IdentityStorageIntegrationTests(OAuthAzurite azurite) : IClassFixture<OAuthAzurite>, IAsyncLifetime
{
    private const string StorageScope = "https://storage.azure.com/.default";

    private readonly string reportsContainer = AppStorageNames.Unique("reports");
    private readonly string outboxQueue = AppStorageNames.Unique("outbox");
    private readonly string sentKeysContainer = AppStorageNames.Unique("sent-keys");
    private readonly UnsignedJwtCredential credential = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Blobs(credential).GetBlobContainerClient(reportsContainer).DeleteIfExistsAsync();
        await Blobs(credential).GetBlobContainerClient(sentKeysContainer).DeleteIfExistsAsync();
        await Queues(credential).GetQueueClient(outboxQueue).DeleteIfExistsAsync();
    }

    [Fact]
    public async Task GenerateReport_ServiceUrisAndToken_WritesTheReportBlob()
    {
        using var app = App(credential);

        await ProcessAsync(app, """{"action":"generate_report","report_id":"r-identity"}""");

        var blob = Blobs(credential).GetBlobContainerClient(reportsContainer).GetBlobClient("r-identity.json");
        using var report = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content);
        Assert.Equal("r-identity", report.RootElement.GetProperty("report_id").GetString());
        Assert.Contains(StorageScope, credential.RequestedScopes);
    }

    [Fact]
    public async Task SendNotification_ServiceUrisAndToken_WritesTheOutboxMessage()
    {
        using var app = App(credential);

        await ProcessAsync(app, """{"action":"send_notification","user_id":"u-identity","idempotency_key":"k-identity"}""");

        var message = Assert.Single((await Queues(credential).GetQueueClient(outboxQueue).ReceiveMessagesAsync(maxMessages: 10)).Value);
        using var notification = JsonDocument.Parse(message.MessageText);
        Assert.Equal("u-identity", notification.RootElement.GetProperty("user_id").GetString());
        Assert.Contains(StorageScope, credential.RequestedScopes);
    }

    [Fact]
    public async Task SameRequests_WithoutToken_AreRefused()
    {
        // What the app's clients send, from clients that have no credential at all.
        var anonymousBlobs = new BlobServiceClient(azurite.BlobServiceUri, new BlobClientOptions { Transport = azurite.Transport });
        var anonymousQueues = new QueueServiceClient(azurite.QueueServiceUri, new QueueClientOptions { Transport = azurite.Transport });

        var blobRefusal = await Assert.ThrowsAsync<RequestFailedException>(
            () => anonymousBlobs.GetBlobContainerClient(reportsContainer).CreateIfNotExistsAsync());
        var queueRefusal = await Assert.ThrowsAsync<RequestFailedException>(
            () => anonymousQueues.GetQueueClient(outboxQueue).CreateIfNotExistsAsync());

        Assert.Contains(blobRefusal.Status, new[] { 401, 403 });
        Assert.Contains(queueRefusal.Status, new[] { 401, 403 });
        Assert.False((await Blobs(credential).GetBlobContainerClient(reportsContainer).ExistsAsync()).Value, "the anonymous request created the container");
        Assert.False((await Queues(credential).GetQueueClient(outboxQueue).ExistsAsync()).Value, "the anonymous request created the queue");
    }

    [Fact]
    public async Task GenerateReport_TokenForAnotherAudience_IsRefusedAndPropagates()
    {
        // Azurite checks what it is sent: a token for another service is not a storage token.
        using var app = App(new UnsignedJwtCredential(audience: "https://vault.azure.net"));

        var refusal = await Assert.ThrowsAsync<RequestFailedException>(
            () => ProcessAsync(app, """{"action":"generate_report","report_id":"r-wrong-audience"}"""));

        Assert.Contains(refusal.Status, new[] { 401, 403 });
        Assert.False((await Blobs(credential).GetBlobContainerClient(reportsContainer).ExistsAsync()).Value);
    }

    private ServiceProvider App(TokenCredential token)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The settings the Bicep template gives the app in Azure; the client id names a
                // managed identity that does not exist here, so only the injected token can work.
                ["AzureWebJobsStorage:blobServiceUri"] = azurite.BlobServiceUri.ToString(),
                ["AzureWebJobsStorage:queueServiceUri"] = azurite.QueueServiceUri.ToString(),
                ["AzureWebJobsStorage:credential"] = "managedidentity",
                ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000000",
                ["Reports:ContainerName"] = reportsContainer,
                ["Notifications:OutboxQueueName"] = outboxQueue,
                ["Notifications:SentKeysContainerName"] = sentKeysContainer,
            })
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddFunctionsApp(configuration);
        services.AddSingleton(token);
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.Transport = azurite.Transport));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task ProcessAsync(ServiceProvider app, string text)
    {
        var message = QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop", text, 1, DateTimeOffset.UtcNow);
        await using var scope = app.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<ProcessWorkItemFunction>(scope.ServiceProvider).Run(message, CancellationToken.None);
    }

    private BlobServiceClient Blobs(TokenCredential token) =>
        new(azurite.BlobServiceUri, token, new BlobClientOptions { Transport = azurite.Transport });

    private QueueServiceClient Queues(TokenCredential token) =>
        new(azurite.QueueServiceUri, token, new QueueClientOptions { Transport = azurite.Transport });
}
