using FunctionsHost.LocalRun;

namespace FunctionsHost.Tests.Unit;

public sealed class LocalRunnerTests
{
    private const string SettingsFile = "/home/ada/FunctionsApp-repo/local.settings.json";

    [Fact]
    public void ParseArguments_FolderAndPort_ReturnsBoth()
    {
        Assert.Equal(("bin/app", 7123), LocalRunner.ParseArguments(["bin/app", "--port", "7123"]));
        Assert.Equal(("bin/app", (int?)null), LocalRunner.ParseArguments(["bin/app"]));
    }

    [Theory]
    [InlineData(new string[0], "No app folder")]
    [InlineData(new[] { "app", "--port" }, "--port needs a port number")]
    [InlineData(new[] { "app", "--port", "0" }, "--port needs a port number")]
    [InlineData(new[] { "app", "--port", "http" }, "--port needs a port number")]
    [InlineData(new[] { "app", "--verbose" }, "Unexpected argument '--verbose'")]
    [InlineData(new[] { "app", "other" }, "Unexpected argument 'other'")]
    public void ParseArguments_Wrong_FailsWithUsage(string[] args, string expected)
    {
        var error = Assert.Throws<LocalRunException>(() => LocalRunner.ParseArguments(args));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(LocalRunner.Usage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeSettings_EnvironmentHasTheSameName_EnvironmentWins()
    {
        var local = new LocalSettings(new Dictionary<string, string> { ["AzureWebJobsStorage"] = "from-file", ["Reports__ContainerName"] = "reports" }, null);
        var environment = new Dictionary<string, string> { ["AZUREWEBJOBSSTORAGE"] = "from-environment", ["PATH"] = "/bin" };

        var merged = LocalRunner.MergeSettings(local, environment);

        Assert.Equal("from-environment", merged["AzureWebJobsStorage"]);
        Assert.Equal("reports", merged["Reports__ContainerName"]);
        Assert.Equal("/bin", merged["PATH"]);
    }

    [Fact]
    public void StorageConnection_ConnectionString_IsReturned()
    {
        Assert.Equal("UseDevelopmentStorage=true", LocalRunner.StorageConnection(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")), SettingsFile));
    }

    [Fact]
    public void StorageConnection_IdentityBasedSection_IsAcceptedWithoutAConnectionString()
    {
        var settings = Settings(("AzureWebJobsStorage__queueServiceUri", "https://account.queue.core.windows.net"), ("AzureWebJobsStorage__credential", "managedidentity"));

        Assert.Null(LocalRunner.StorageConnection(settings, SettingsFile));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void StorageConnection_Missing_FailsNamingTheSettingAndTheFile(string? value)
    {
        var settings = value is null ? Settings() : Settings(("AzureWebJobsStorage", value));

        var error = Assert.Throws<LocalRunException>(() => LocalRunner.StorageConnection(settings, SettingsFile));

        Assert.Contains("'AzureWebJobsStorage' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains(SettingsFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QueuesNamedIn_SettingsEndingInQueueName_AreTheQueuesToCreate()
    {
        var settings = Settings(
            ("WorkItemsQueueName", "work-items"),
            ("Dispatch__DeadLetterQueueName", "work-items-poison"),
            ("Notifications__OutboxQueueName", "notifications"),
            ("Other__QueueNameSuffix", "not-a-queue"),
            ("Empty__QueueName", ""),
            ("Again__QueueName", "work-items"));

        Assert.Equal(["notifications", "work-items", "work-items-poison"], LocalRunner.QueuesNamedIn(settings));
    }

    private static Dictionary<string, string> Settings(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.OrdinalIgnoreCase);
}
