using FunctionsHost.Logging;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Queues;

/// <summary>
/// The queue side of the Functions host: the WebJobs SDK with its Azure Storage Queues extension
/// (the same packages the Functions host loads for this app), running in a generic host of its
/// own, with one emitted function per queue-triggered function of the app. Polling, visibility,
/// retries and poison moves are therefore the platform's, configured from the app's host.json.
/// </summary>
public sealed class QueueTriggerListener : IAsyncDisposable
{
    private readonly IHost host;

    private QueueTriggerListener(IHost host, IReadOnlyDictionary<string, string> resolvedQueues)
    {
        this.host = host;
        ResolvedQueueNames = resolvedQueues;
    }

    /// <summary>Function name -> the queue its listener reads, after <c>%setting%</c> resolution.</summary>
    public IReadOnlyDictionary<string, string> ResolvedQueueNames { get; }

    public static async Task<QueueTriggerListener> StartAsync(
        IReadOnlyList<WorkerFunction> queueFunctions,
        IReadOnlyDictionary<string, string> appSettings,
        string hostJsonPath,
        Action<Microsoft.Azure.WebJobs.Host.QueuesOptions>? overrideOptions,
        QueueInvocationForwarder forwarder,
        WorkerLogs logs)
    {
        ArgumentNullException.ThrowIfNull(queueFunctions);
        var types = QueueFunctionTypes.Emit(queueFunctions);
        var hostJson = new ConfigurationBuilder().AddJsonFile(hostJsonPath, optional: false).Build();
        var queuesSection = hostJson.GetSection("extensions:queues");

        var host = new HostBuilder()
            .ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(options =>
            {
                // host.json is the source of truth, as in the Functions host; a caller (a test) may
                // then shorten what it must (e.g. the visibility timeout) to stay fast.
                queuesSection.Bind(options);
                overrideOptions?.Invoke(options);
            }))
            // After ConfigureWebJobs, so the app settings given win over anything it adds
            // (environment variables, appsettings.json).
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(
                appSettings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))))
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Information);
                // The WebJobs extension forwards Azure SDK events of the whole process (in tests,
                // every test's clients) to this logger; only their errors are worth a line here.
                logging.AddFilter("Azure", LogLevel.Error);
                // The listener's options dump and its generic host's lifetime lines say nothing
                // about the app (the Functions host's own console shows neither by default).
                logging.AddFilter("Microsoft.Azure.WebJobs.Hosting.OptionsLoggingService", LogLevel.Warning);
                logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
                logging.AddProvider(new WorkerLogsLoggerProvider(logs, LogLevel.Information));
            })
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITypeLocator>(new FixedTypeLocator(types));
                services.AddSingleton<IJobActivator>(new ForwardingJobActivator(forwarder));
                // Registered after the SDK's default, so this one is used: logged, never a crash.
                services.AddSingleton<Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandler>(new ListenerExceptionHandler(logs));
            })
            .Build();

        var resolver = host.Services.GetRequiredService<INameResolver>();
        var resolved = queueFunctions.ToDictionary(f => f.Name, f => resolver.ResolveWholeString(f.QueueNameExpression!));
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new QueueTriggerListener(host, resolved);
    }

    /// <summary>Stops the listeners; WebJobs waits for the functions already running until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => host.StopAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        host.Dispose();
        return ValueTask.CompletedTask;
    }
}
