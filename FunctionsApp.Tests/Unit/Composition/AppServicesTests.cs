using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Dispatch;
using FunctionsApp.Functions;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsApp.Tests.Unit.Composition;

public sealed class AppServicesTests
{
    private static readonly string[] Actions = ["generate_report", "send_notification"];

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?> { [AppServices.StorageConnectionSetting] = "UseDevelopmentStorage=true" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private static IServiceCollection Services(params (string Key, string? Value)[] settings) =>
        new ServiceCollection().AddLogging().AddFunctionsApp(Configuration(settings));

    private static ServiceProvider Provider(params (string Key, string? Value)[] settings) =>
        Services(settings).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static string OptionsError<T>(params (string Key, string? Value)[] settings)
        where T : class
    {
        using var provider = Provider(settings);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<T>>().Value);
        return error.Message;
    }

    [Fact]
    public void AddFunctionsApp_Runners_AreExactlyOnePerKnownAction()
    {
        var runners = Services().Where(d => d.ServiceType == typeof(IActionRunner)).ToList();

        Assert.All(runners, d => Assert.True(d.IsKeyedService, "An action runner must be keyed by its action."));
        Assert.Equal(Actions, runners.Select(d => (string)d.ServiceKey!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AddFunctionsApp_EachAction_ResolvesItsRunnerAndOneHandler()
    {
        var services = Services();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        using var scope = provider.CreateScope();

        foreach (var runner in services.Where(d => d.ServiceType == typeof(IActionRunner)))
        {
            var runnerType = runner.KeyedImplementationType!;
            Assert.Equal(typeof(ActionRunner<>), runnerType.GetGenericTypeDefinition());
            var action = runnerType.GetGenericArguments()[0];
            Assert.Equal(runner.ServiceKey, action.GetProperty(nameof(GenerateReportAction.Name))?.GetValue(null));

            var handlerType = typeof(IActionHandler<>).MakeGenericType(action);
            Assert.Single(services, d => d.ServiceType == handlerType);
            Assert.NotNull(scope.ServiceProvider.GetRequiredKeyedService<IActionRunner>(runner.ServiceKey));
            Assert.NotNull(scope.ServiceProvider.GetRequiredService(handlerType));
        }
    }

    [Fact]
    public void AddFunctionsApp_Handlers_AreTheAppsOwn()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();

        Assert.IsType<GenerateReportHandler>(scope.ServiceProvider.GetRequiredService<IActionHandler<GenerateReportAction>>());
        Assert.IsType<SendNotificationHandler>(scope.ServiceProvider.GetRequiredService<IActionHandler<SendNotificationAction>>());
    }

    [Fact]
    public void AddFunctionsApp_Services_Resolve()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();

        Assert.NotNull(scope.ServiceProvider.GetRequiredService<ActionDispatcher>());
        Assert.IsType<BlobReportStore>(provider.GetRequiredService<IReportStore>());
        Assert.IsType<QueueNotificationSender>(provider.GetRequiredService<INotificationSender>());
        Assert.IsType<QueueDeadLetterSink>(provider.GetRequiredService<IDeadLetterSink>());
    }

    [Fact]
    public void AddFunctionsApp_Functions_CanBeCreatedFromTheContainer()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();

        Assert.NotNull(ActivatorUtilities.CreateInstance<HelloFunction>(scope.ServiceProvider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ProcessWorkItemFunction>(scope.ServiceProvider));
    }

    [Fact]
    public void AddFunctionsApp_WorkersKestrel_AcceptsBodiesUpToTheHostsLimit()
    {
        // Kestrel's own default (30,000,000 bytes) cut off the discarding of an unread body, so the
        // host answered 500 for a greeting the app had refused with 413 (measured under host 4.1037).
        using var provider = Provider();

        var kestrel = provider.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(100L * 1024 * 1024, kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public void AddFunctionsApp_TimeProviderRegisteredBefore_IsKept()
    {
        var fake = new FakeTimeProvider();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(fake).AddFunctionsApp(Configuration());
        using var provider = services.BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddFunctionsApp_WorkItemsQueueNameSet_DeadLettersToItsPoisonQueue()
    {
        using var provider = Provider(("WorkItemsQueueName", "jobs"));

        var options = provider.GetRequiredService<IOptions<DispatchOptions>>().Value;

        Assert.Equal("jobs", options.WorkItemsQueueName);
        Assert.Equal("jobs-poison", options.DeadLetterQueueName);
    }

    [Fact]
    public void AddFunctionsApp_WorkQueueInTheDispatchSection_IsIgnoredForTheTriggersSetting()
    {
        // The trigger reads only %WorkItemsQueueName%: a section value must not move replays elsewhere.
        using var provider = Provider(("Dispatch:WorkItemsQueueName", "elsewhere"), ("WorkItemsQueueName", "jobs"));
        using var fallback = Provider(("Dispatch:WorkItemsQueueName", "elsewhere"));

        Assert.Equal("jobs", provider.GetRequiredService<IOptions<DispatchOptions>>().Value.WorkItemsQueueName);
        Assert.Equal(DispatchOptions.FallbackWorkItemsQueueName, fallback.GetRequiredService<IOptions<DispatchOptions>>().Value.WorkItemsQueueName);
    }

    [Fact]
    public void AddFunctionsApp_NoQueueSettings_DeadLettersToDefaultQueuesPoisonQueue()
    {
        using var provider = Provider();

        Assert.Equal("work-items-poison", provider.GetRequiredService<IOptions<DispatchOptions>>().Value.DeadLetterQueueName);
    }

    [Fact]
    public void AddFunctionsApp_MaxDequeueCount_IsTheOneInTheRepositoriesHostJson()
    {
        // host.json is the one place the retry count is set: the app must read the same number
        // the Functions host applies.
        using var hostJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var configured = hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();
        using var provider = Provider();

        Assert.Equal(configured, provider.GetRequiredService<IOptions<DispatchOptions>>().Value.MaxDequeueCount);
    }

    [Fact]
    public void AddFunctionsApp_AzureSdkRequestLogging_IsFilteredToWarnings()
    {
        using var provider = Provider();
        var rules = provider.GetRequiredService<IOptions<Microsoft.Extensions.Logging.LoggerFilterOptions>>().Value.Rules;

        var rule = Assert.Single(rules, r => r.CategoryName == AppServices.AzureSdkLogCategoryPrefix);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, rule.LogLevel);
    }

    [Fact]
    public void AddFunctionsApp_ExplicitDeadLetterQueueName_Wins()
    {
        using var provider = Provider(("WorkItemsQueueName", "jobs"), ("Dispatch:DeadLetterQueueName", "parked-jobs"));

        Assert.Equal("parked-jobs", provider.GetRequiredService<IOptions<DispatchOptions>>().Value.DeadLetterQueueName);
    }

    [Fact]
    public void AddFunctionsApp_SectionSettings_AreBound()
    {
        using var provider = Provider(
            ("Reports:ContainerName", "monthly-reports"),
            ("Notifications:OutboxQueueName", "outbox"),
            ("Dispatch:MaxMessageBytes", "1024"));

        Assert.Equal("monthly-reports", provider.GetRequiredService<IOptions<ReportsOptions>>().Value.ContainerName);
        Assert.Equal("outbox", provider.GetRequiredService<IOptions<NotificationsOptions>>().Value.OutboxQueueName);
        Assert.Equal(1024, provider.GetRequiredService<IOptions<DispatchOptions>>().Value.MaxMessageBytes);
    }

    [Fact]
    public void AddFunctionsApp_BadReportsContainerName_FailsNamingTheSetting()
    {
        Assert.Contains("Reports:ContainerName", OptionsError<ReportsOptions>(("Reports:ContainerName", "Bad_Name")), StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_BadWorkItemsQueueName_FailsNamingTheSetting()
    {
        Assert.Contains("WorkItemsQueueName", OptionsError<DispatchOptions>(("WorkItemsQueueName", "Work_Items")), StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_BadOutboxQueueName_FailsNamingTheSetting()
    {
        Assert.Contains("Notifications:OutboxQueueName",
            OptionsError<NotificationsOptions>(("Notifications:OutboxQueueName", "no")), StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_BadDeadLetterQueueName_FailsNamingTheSetting()
    {
        Assert.Contains("Dispatch:DeadLetterQueueName",
            OptionsError<DispatchOptions>(("Dispatch:DeadLetterQueueName", "Parked")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dispatch:DeadLetterContainerName")]
    [InlineData("Reports:ContainerName")]
    [InlineData("Notifications:SentKeysContainerName")]
    public void AddFunctionsApp_EmptyStorageName_FailsSayingTheSettingIsRequired(string setting)
    {
        using var provider = Provider((setting, " "));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"The setting {setting} is required.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("230")]
    public void AddFunctionsApp_ReplayBudgetOutOfRange_FailsNamingTheSetting(string seconds)
    {
        Assert.Contains("Replay:TimeBudgetSeconds",
            OptionsError<FunctionsApp.Replay.ReplayOptions>(("Replay:TimeBudgetSeconds", seconds)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dispatch:DeadLetterTimeToLiveSeconds", "0")]
    [InlineData("Dispatch:DeadLetterTimeToLiveSeconds", "-2")]
    [InlineData("Notifications:OutboxTimeToLiveSeconds", "0")]
    [InlineData("Notifications:OutboxTimeToLiveSeconds", "-7")]
    [InlineData("Replay:WorkItemTimeToLiveSeconds", "0")]
    public void AddFunctionsApp_TimeToLiveNeitherNeverNorPositive_FailsNamingTheSetting(string setting, string value)
    {
        using var provider = Provider((setting, value));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"The setting {setting} must be -1 (messages never expire) or a number of seconds above 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_TimeToLives_DefaultToNeverAndBind()
    {
        using (var defaults = Provider())
        {
            Assert.Equal(-1, defaults.GetRequiredService<IOptions<DispatchOptions>>().Value.DeadLetterTimeToLiveSeconds);
            Assert.Equal(-1, defaults.GetRequiredService<IOptions<NotificationsOptions>>().Value.OutboxTimeToLiveSeconds);
            Assert.Equal(-1, defaults.GetRequiredService<IOptions<FunctionsApp.Replay.ReplayOptions>>().Value.WorkItemTimeToLiveSeconds);
        }

        using var provider = Provider(("Notifications:OutboxTimeToLiveSeconds", "604800"));
        Assert.Equal(604800, provider.GetRequiredService<IOptions<NotificationsOptions>>().Value.OutboxTimeToLiveSeconds);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("15")]
    [InlineData("65537")]
    public void AddFunctionsApp_MaxMessageBytesOutOfRange_FailsNamingTheSetting(string value)
    {
        Assert.Contains("Dispatch:MaxMessageBytes", OptionsError<DispatchOptions>(("Dispatch:MaxMessageBytes", value)), StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_BadSetting_FailsAtStartup()
    {
        using var provider = Provider(("Reports:ContainerName", "Bad_Name"));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Reports:ContainerName", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AddFunctionsApp_NoStorageConnection_FailsNamingAzureWebJobsStorage(string? connection)
    {
        var configuration = Configuration((AppServices.StorageConnectionSetting, connection));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddLogging().AddFunctionsApp(configuration));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsApp_IdentityBasedStorage_ClientsUseTheServiceUris()
    {
        using var provider = Provider(
            (AppServices.StorageConnectionSetting, null),
            ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net"),
            ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity"));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), provider.GetRequiredService<BlobServiceClient>().Uri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), provider.GetRequiredService<QueueServiceClient>().Uri);
        Assert.IsType<QueueNotificationSender>(provider.GetRequiredService<INotificationSender>());
    }

    [Fact]
    public void AddFunctionsApp_IdentityBasedStorage_RegistersTheManagedIdentityAsTheOneCredential()
    {
        using var provider = Provider(
            (AppServices.StorageConnectionSetting, null),
            ("AzureWebJobsStorage:accountName", "acct42"),
            ("AzureWebJobsStorage:credential", "managedidentity"));

        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(provider.GetRequiredService<Azure.Core.TokenCredential>());
        Assert.Same(provider.GetRequiredService<Azure.Core.TokenCredential>(), provider.GetRequiredService<Azure.Core.TokenCredential>());
    }

    [Fact]
    public void AddFunctionsApp_ConnectionString_RegistersNoCredential()
    {
        using var provider = Provider();

        Assert.Null(provider.GetService<Azure.Core.TokenCredential>());
    }

    [Fact]
    public void AddFunctionsApp_HalfFilledIdentityBasedStorage_FailsNamingTheMissingSetting()
    {
        var configuration = Configuration(
            (AppServices.StorageConnectionSetting, null),
            ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddLogging().AddFunctionsApp(configuration));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
    }
}
