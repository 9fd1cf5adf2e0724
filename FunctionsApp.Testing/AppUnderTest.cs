using FunctionsApp.Functions;
using FunctionsHost;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Host;
using Xunit.Abstractions;

namespace FunctionsApp.Testing;

/// <summary>
/// The compiled app running in a test host against Azurite, with storage of its own. Disposing it
/// stops the worker, writes the worker's logs to the test output and deletes the storage.
/// </summary>
public sealed class AppUnderTest : IAsyncDisposable
{
    private readonly AzuriteFixture azurite;
    private readonly ITestOutputHelper? output;

    private AppUnderTest(AzuriteFixture azurite, ITestOutputHelper? output, AppStorageNames storage, WorkerHost host)
    {
        this.azurite = azurite;
        this.output = output;
        Storage = storage;
        Host = host;
    }

    public AppStorageNames Storage { get; }

    public WorkerHost Host { get; }

    /// <param name="azurite">The storage emulator.</param>
    /// <param name="output">Where the worker's logs go when the app is disposed; null for a shared fixture.</param>
    /// <param name="connectionString">The app's AzureWebJobsStorage; Azurite's by default.</param>
    /// <param name="enableQueues">Run the WebJobs queue listener.</param>
    /// <param name="overrideQueueOptions">Changes to host.json's extensions:queues for this test.</param>
    /// <param name="extraSettings">App settings beyond the storage ones, e.g. an exporter's.</param>
    public static async Task<AppUnderTest> StartAsync(
        AzuriteFixture azurite,
        ITestOutputHelper? output,
        string? connectionString = null,
        bool enableQueues = true,
        Action<QueuesOptions>? overrideQueueOptions = null,
        IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var storage = new AppStorageNames();
        var settings = storage.AppSettings(connectionString ?? azurite.ConnectionString);
        foreach (var (name, value) in extraSettings ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }

        var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory,
            AppSettings = settings,
            EnableQueues = enableQueues,
            OverrideQueueOptions = overrideQueueOptions,
        });
        output?.WriteLine($"Worker start-up: {host.StartupTimes}");
        return new AppUnderTest(azurite, output, storage, host);
    }

    /// <summary>The ended attempts of the queue function at one message, in the order they ended.</summary>
    public IReadOnlyList<InvocationRecord> Attempts(string messageId) =>
        Host.InvocationsOf(ProcessWorkItemFunction.Name).Where(r => r.TriggerValue("Id") == messageId).ToArray();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.DisposeAsync();
        }
        finally
        {
            if (output is not null)
            {
                output.WriteLine("---- worker and test host logs ----");
                Host.Logs.WriteTo(output);
            }

            foreach (var failure in await Storage.DeleteAsync(azurite.Queues, azurite.Blobs))
            {
                output?.WriteLine($"Cleanup could not delete {failure}");
            }
        }
    }
}
