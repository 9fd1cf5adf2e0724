using Azure.Identity;
using FunctionsApp.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsApp.Tests.Unit.Telemetry;

public sealed class TelemetrySetupTests
{
    private const string WorkerTelemetryCapability = "WorkerOpenTelemetryEnabled";

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddAppTelemetry(configuration).BuildServiceProvider();
    }

    [Fact]
    public void AddAppTelemetry_NoExporterSetting_RegistersNoProviderSoNothingListens()
    {
        using var services = Build([]);

        Assert.Null(services.GetService<TracerProvider>());
        Assert.Null(services.GetService<MeterProvider>());
        Assert.NotNull(services.GetService<AppMetrics>());
        Assert.False(services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities.ContainsKey(WorkerTelemetryCapability));
    }

    [Theory]
    [InlineData(TelemetrySetup.AzureMonitorSetting, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/")]
    [InlineData(TelemetrySetup.OtlpEndpointSetting, "http://127.0.0.1:4317")]
    public void AddAppTelemetry_ExporterThatCarriesLogs_TellsTheHostTheWorkerSendsItsOwn(string setting, string value)
    {
        using var services = Build(new() { [setting] = value });

        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.NotNull(services.GetService<MeterProvider>());
        Assert.Equal("True", services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities[WorkerTelemetryCapability]);
    }

    [Theory]
    [InlineData(TelemetrySetup.TracesExporterSetting, "console")]
    [InlineData(TelemetrySetup.TracesExporterSetting, "otlp, Console")]
    [InlineData(TelemetrySetup.MetricsExporterSetting, "console")]
    public void AddAppTelemetry_ConsoleOnly_ExportsButLeavesLogsToTheHost(string setting, string value)
    {
        using var services = Build(new() { [setting] = value });

        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.False(services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities.ContainsKey(WorkerTelemetryCapability));
    }

    [Theory]
    [InlineData(TelemetrySetup.TracesExporterSetting, "none")]
    [InlineData(TelemetrySetup.TracesExporterSetting, "consoles")]
    [InlineData(TelemetrySetup.OtlpEndpointSetting, "")]
    public void AddAppTelemetry_SettingsThatNameNoExporter_RegisterNoProvider(string setting, string value)
    {
        using var services = Build(new() { [setting] = value });

        Assert.Null(services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AzureMonitorCredential_NoAuthenticationSetting_IsTheConnectionStringsKey(string? setting)
    {
        Assert.Null(TelemetrySetup.AzureMonitorCredential(setting));
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD")]
    [InlineData("Authorization=AAD")]
    [InlineData(" authorization = aad ; clientid = 11111111-2222-3333-4444-555555555555 ")]
    public void AzureMonitorCredential_Aad_IsAManagedIdentity(string setting)
    {
        Assert.IsType<ManagedIdentityCredential>(TelemetrySetup.AzureMonitorCredential(setting));
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555")]
    [InlineData("Authorization=Key")]
    public void AzureMonitorCredential_AnythingElse_FailsAtStartNamingTheSetting(string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TelemetrySetup.AzureMonitorCredential(setting));

        Assert.Contains(TelemetrySetup.AzureMonitorAuthenticationSetting, error.Message, StringComparison.Ordinal);
    }
}
