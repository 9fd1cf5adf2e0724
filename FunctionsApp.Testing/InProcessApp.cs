using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Testing;

/// <summary>
/// The app's real composition root pointed at Azurite, with queue and container names of its own,
/// so an integration test calls the function classes exactly as the worker would build them.
/// Deletes its queues and container when disposed.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly AzuriteFixture azurite;

    /// <param name="azurite">The emulator.</param>
    /// <param name="blobUnreachable">Point the app's blob endpoint at a closed port, to make report writes fail.</param>
    /// <param name="systemClock">Give the app the real clock instead of <see cref="Clock"/>, for measurements that need time to pass.</param>
    /// <param name="configureServices">Registrations added after the app's own, e.g. telemetry exporters.</param>
    /// <param name="settings">App settings beyond the storage names, e.g. a time-to-live.</param>
    public InProcessApp(
        AzuriteFixture azurite,
        bool blobUnreachable = false,
        bool systemClock = false,
        Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        this.azurite = azurite;
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        var connection = blobUnreachable
            ? ConnectionStrings.WithBlobEndpoint(azurite.ConnectionString, $"http://127.0.0.1:{FreePorts.Closed()}/devstoreaccount1")
            : azurite.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Storage.ConfigurationValues(connection))
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(systemClock ? TimeProvider.System : Clock)
            .AddSingleton<IConfiguration>(configuration);
        services.AddFunctionsApp(configuration);
        configureServices?.Invoke(services);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        WorkQueue = azurite.Queues.GetQueueClient(Storage.WorkItemsQueue);
        DeadLetters = azurite.Queues.GetQueueClient(Storage.DeadLetterQueue);
        Outbox = azurite.Queues.GetQueueClient(Storage.OutboxQueue);
        Reports = azurite.Blobs.GetBlobContainerClient(Storage.ReportsContainer);
        SentKeys = azurite.Blobs.GetBlobContainerClient(Storage.SentKeysContainer);
        DeadLetterBodies = azurite.Blobs.GetBlobContainerClient(Storage.DeadLetterContainer);
    }

    /// <summary>The queues and containers of this app, unique to it.</summary>
    public AppStorageNames Storage { get; } = new();

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

    /// <summary>Deletes the storage, each resource on its own; cleanup never throws over the test's own result.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Storage.DeleteAsync(azurite.Queues, azurite.Blobs);
        }
        finally
        {
            await provider.DisposeAsync();
        }
    }
}
