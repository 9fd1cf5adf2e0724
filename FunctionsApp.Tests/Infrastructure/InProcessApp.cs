using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// The app's real composition root pointed at Azurite, with queue and container names of its own,
/// so an integration test calls the function classes exactly as the worker would build them.
/// Deletes its queues and container when disposed.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    /// <param name="azurite">The emulator.</param>
    /// <param name="blobUnreachable">Point the app's blob endpoint at a closed port, to make report writes fail.</param>
    public InProcessApp(AzuriteFixture azurite, bool blobUnreachable = false)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        WorkQueueName = StorageNamesForTests.Unique("work");
        DeadLetterQueueName = WorkQueueName + "-poison";
        OutboxQueueName = StorageNamesForTests.Unique("outbox");
        ContainerName = StorageNamesForTests.Unique("reports");
        SentKeysContainerName = StorageNamesForTests.Unique("sent-keys");
        DeadLetterContainerName = StorageNamesForTests.Unique("dead-letters");
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [AppServices.StorageConnectionSetting] = blobUnreachable
                    ? ConnectionStrings.WithBlobEndpoint(azurite.ConnectionString, $"http://127.0.0.1:{FreePorts.Closed()}/devstoreaccount1")
                    : azurite.ConnectionString,
                [AppServices.WorkItemsQueueSetting] = WorkQueueName,
                ["Notifications:OutboxQueueName"] = OutboxQueueName,
                ["Reports:ContainerName"] = ContainerName,
                ["Notifications:SentKeysContainerName"] = SentKeysContainerName,
                ["Dispatch:DeadLetterContainerName"] = DeadLetterContainerName,
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton<IConfiguration>(configuration);
        services.AddFunctionsApp(configuration);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        WorkQueue = azurite.Queues.GetQueueClient(WorkQueueName);
        DeadLetters = azurite.Queues.GetQueueClient(DeadLetterQueueName);
        Outbox = azurite.Queues.GetQueueClient(OutboxQueueName);
        Reports = azurite.Blobs.GetBlobContainerClient(ContainerName);
        SentKeys = azurite.Blobs.GetBlobContainerClient(SentKeysContainerName);
        DeadLetterBodies = azurite.Blobs.GetBlobContainerClient(DeadLetterContainerName);
    }

    public string WorkQueueName { get; }

    public string DeadLetterQueueName { get; }

    public string OutboxQueueName { get; }

    public string ContainerName { get; }

    public string SentKeysContainerName { get; }

    public string DeadLetterContainerName { get; }

    public FakeTimeProvider Clock { get; }

    public QueueClient WorkQueue { get; }

    public QueueClient DeadLetters { get; }

    public QueueClient Outbox { get; }

    public BlobContainerClient Reports { get; }

    public BlobContainerClient SentKeys { get; }

    public BlobContainerClient DeadLetterBodies { get; }

    /// <summary>Runs the queue function on a message with this text, in a DI scope of its own as the worker does.</summary>
    public async Task ProcessAsync(string messageText, string? messageId = null, long dequeueCount = 1)
    {
        var message = QueuesModelFactory.QueueMessage(
            messageId ?? Guid.NewGuid().ToString(), "pop", messageText, dequeueCount, Clock.GetUtcNow());
        await using var scope = provider.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<ProcessWorkItemFunction>(scope.ServiceProvider);
        await function.Run(message, CancellationToken.None);
    }

    /// <summary>A service of the app's container, e.g. the dead-letter replayer.</summary>
    public T GetRequiredService<T>()
        where T : notnull => provider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await WorkQueue.DeleteIfExistsAsync();
        await DeadLetters.DeleteIfExistsAsync();
        await Outbox.DeleteIfExistsAsync();
        await Reports.DeleteIfExistsAsync();
        await SentKeys.DeleteIfExistsAsync();
        await DeadLetterBodies.DeleteIfExistsAsync();
        await provider.DisposeAsync();
    }
}
