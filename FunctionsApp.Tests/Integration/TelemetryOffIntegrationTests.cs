using FunctionsApp.Telemetry;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// Telemetry off costs nothing: with no exporter setting, the app's composition root attaches no
/// listener to its source or its meter, so spans are never created and the handler clock is never
/// read. In the Telemetry collection, which runs alone: listeners are process-wide.
/// </summary>
[Collection(TelemetryTests.Name)]
[Trait("Category", "Telemetry")]
public sealed class TelemetryOffIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task NoExporterSetting_NothingListensToTheAppsSourceOrMeter()
    {
        await using var app = new InProcessApp(azurite);

        await app.ProcessAsync("""{"action":"generate_report","report_id":"off-1","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""");

        Assert.True((await app.Reports.GetBlobClient("off-1.json").ExistsAsync()).Value);
        Assert.False(AppTelemetry.Source.HasListeners(), "something listens to the app's ActivitySource with no exporter set");
        Assert.False(app.GetRequiredService<AppMetrics>().TimesHandlers, "something listens to the app's handler duration with no exporter set");
    }
}
