using Azure.Core;
using Azure.Storage.Queues;
using FunctionsApp.DeadLetters;
using FunctionsApp.Dispatch;
using FunctionsApp.Greeting;
using FunctionsApp.Notifications;
using FunctionsApp.Replay;
using FunctionsApp.Reports;
using FunctionsApp.Storage;
using FunctionsApp.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FunctionsApp;

/// <summary>The composition root: every service, option and action the app has, in one place.</summary>
public static class AppServices
{
    /// <summary>
    /// The app setting (or, identity-based, the section of settings) of the storage account, as the
    /// Functions host names it; see <see cref="StorageConnection"/>.
    /// </summary>
    public const string StorageConnectionSetting = "AzureWebJobsStorage";

    /// <summary>The flat app setting the queue trigger reads with <c>%WorkItemsQueueName%</c>.</summary>
    public const string WorkItemsQueueSetting = "WorkItemsQueueName";

    /// <summary>The log category prefix of the Azure SDK's own request logging (Azure.Core, Azure.Storage...).</summary>
    public const string AzureSdkLogCategoryPrefix = "Azure";

    /// <summary>The log category prefix of ASP.NET Core, which serves the HTTP functions inside the worker.</summary>
    public const string AspNetCoreLogCategoryPrefix = "Microsoft.AspNetCore";

    /// <summary>
    /// The largest request body the Functions host forwards (100 MiB, its own Kestrel limit), which
    /// the worker's Kestrel accepts too; see <see cref="AddFunctionsApp"/>.
    /// </summary>
    public const long HostMaxRequestBodyBytes = 100L * 1024 * 1024;

    public static IServiceCollection AddFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Sections are bound from the configuration passed in, not with BindConfiguration (which
        // reads IConfiguration from the container), so every setting comes from the same source.
        services.AddOptions<DispatchOptions>()
            .Bind(configuration.GetSection(DispatchOptions.SectionName))
            .Configure(options =>
            {
                options.MaxDequeueCount = HostJson.MaxDequeueCount(AppContext.BaseDirectory);
                // Only the flat setting the trigger reads names the work queue: a value bound from
                // Dispatch:WorkItemsQueueName would point replays at a queue the trigger does not read.
                options.WorkItemsQueueName = configuration[WorkItemsQueueSetting] is { Length: > 0 } queue
                    ? queue
                    : DispatchOptions.FallbackWorkItemsQueueName;

                // By default failed messages join the platform's own poison queue for the work
                // queue, so an operator has one place to look.
                if (string.IsNullOrEmpty(options.DeadLetterQueueName))
                {
                    options.DeadLetterQueueName = options.WorkItemsQueueName + "-poison";
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ReportsOptions>().Bind(configuration.GetSection(ReportsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationsOptions>().Bind(configuration.GetSection(NotificationsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReplayOptions>().Bind(configuration.GetSection(ReplayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        // Either form of the setting (a connection string, or service URIs plus a credential);
        // a missing or half-filled one stops the app here, at start, naming what to set.
        var storage = StorageConnection.Resolve(configuration, StorageConnectionSetting);

        services.AddAzureClients(clients =>
        {
            // Short in-process retries: a storage hiccup is retried within the attempt, an outage
            // is left to the queue's own retries (visibilityTimeout, maxDequeueCount). The SDK's
            // storage default (4 s doubling) would hold a message for half a minute per attempt.
            clients.ConfigureDefaults(options =>
            {
                options.Retry.Mode = RetryMode.Exponential;
                options.Retry.MaxRetries = 3;
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
                options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);

                // No per-request log events from the SDK's logging policy. AddAzureClients forwards
                // the SDK's event sources to ILogger at Verbose whatever our filter says, so every
                // request formatted its Request and Response events only for the filter below to drop
                // them: 0.07 ms of CPU per storage call, measured against a client without them
                // (docs/performance.md). Failures still show: our own events (1002, 1003) carry the
                // RequestFailedException with status and error code.
                options.Diagnostics.IsLoggingEnabled = false;
            });
            // Our own queue writes (outbox, dead letters) are plain JSON text, readable in any tool.
            static void PlainText(QueueClientOptions options) => options.MessageEncoding = QueueMessageEncoding.None;
            if (storage.ConnectionString is { } connection)
            {
                clients.AddBlobServiceClient(connection);
                clients.AddQueueServiceClient(connection).ConfigureOptions(PlainText);
            }
            else
            {
                // The credential the settings name, made by the same AzureComponentFactory the
                // Functions storage extensions use for the trigger, one for both clients. It is the
                // container's TokenCredential: a test that registers its own after this (the last
                // registration wins) signs the app's requests with it. Given per client rather than
                // with UseCredential, because the factory falls back to the global credential
                // (DefaultAzureCredential) when no credential setting is given.
                services.TryAddSingleton(provider => storage.CreateCredential(provider.GetRequiredService<AzureComponentFactory>())!);
                static TokenCredential Credential(IServiceProvider provider) => provider.GetRequiredService<TokenCredential>();
                clients.AddBlobServiceClient(storage.BlobServiceUri!).WithCredential(Credential);
                clients.AddQueueServiceClient(storage.QueueServiceUri!).WithCredential(Credential).ConfigureOptions(PlainText);
            }
        });

        // The Azure SDK's other events (retries among them) log at Information and below: sent to the
        // host over gRPC and on to Application Insights they would be several lines per queue
        // message. Its warnings pass; our own events (1002, 1003) carry the exceptions.
        services.AddLogging(logging => logging.AddFilter(AzureSdkLogCategoryPrefix, LogLevel.Warning));

        // ASP.NET Core (the worker's own Kestrel under ASP.NET Core integration) logs a line per
        // result written ("Writing value of type ... as Json"); warnings and errors still pass.
        services.AddLogging(logging => logging.AddFilter(AspNetCoreLogCategoryPrefix, LogLevel.Warning));

        // The host forwards a request to the worker's Kestrel while the client is still sending it,
        // and hands back the answer only once the whole body went through. A function that answers
        // without reading the body (the greeting's 413) leaves Kestrel to read and discard the rest
        // after the answer; at Kestrel's default limit (30,000,000 bytes) it gave up part-way and
        // closed the connection, so the host answered 500 instead. The host's own limit is the
        // real one (measured under host 4.1037).
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = HostMaxRequestBodyBytes);

        // Traces and metrics: exported where the settings say, and not even recorded when they say nowhere.
        services.AddAppTelemetry(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ActionParser>();
        services.AddScoped<ActionDispatcher>();
        services.AddSingleton<IDeadLetterSink, QueueDeadLetterSink>();
        services.AddSingleton<IReportStore, BlobReportStore>();
        services.AddSingleton<INotificationSender, QueueNotificationSender>();
        services.AddSingleton<ISentNotificationLog, BlobSentNotificationLog>();
        services.AddSingleton<GreetingService>();
        services.AddSingleton<IDeadLetterReplayer, QueueDeadLetterReplayer>();
        services.AddSingleton<IDeadLetterBrowser, QueueDeadLetterBrowser>();

        // One line per action; the dispatcher needs no change for a new one.
        services.AddAction<GenerateReportAction, GenerateReportHandler>();
        services.AddAction<SendNotificationAction, SendNotificationHandler>();
        return services;
    }
}
