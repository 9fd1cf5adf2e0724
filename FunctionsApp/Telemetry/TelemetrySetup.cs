using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FunctionsApp.Telemetry;

/// <summary>
/// Turns OpenTelemetry on when the app settings name somewhere to send it, and leaves it off
/// (no provider, no listener, nothing recorded) when they name nowhere.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Application Insights: traces, metrics and logs go to Azure Monitor.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// How the Functions host authenticates to Application Insights when local auth is off
    /// (<c>Authorization=AAD</c>, with the identity's <c>ClientId</c>); the app's exporter does the same.
    /// </summary>
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Any OTLP endpoint (a collector, Aspire's dashboard, Jaeger): traces, metrics and logs over OTLP.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The OpenTelemetry settings that choose exporters per signal; <c>console</c> in either
    /// writes that signal to the worker's stdout (for a look while developing, and the end-to-end
    /// test). Other values there are left to the exporters above.
    /// </summary>
    public const string TracesExporterSetting = "OTEL_TRACES_EXPORTER";

    /// <inheritdoc cref="TracesExporterSetting"/>
    public const string MetricsExporterSetting = "OTEL_METRICS_EXPORTER";

    public static IServiceCollection AddAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The host registers the meter factory too; a container built from AddFunctionsApp alone needs its own.
        services.AddMetrics();
        services.TryAddSingleton<AppMetrics>();

        var azureMonitor = configuration[AzureMonitorSetting] is { Length: > 0 } connectionString ? connectionString : null;
        var otlp = !string.IsNullOrEmpty(configuration[OtlpEndpointSetting]);
        var consoleTraces = NamesConsole(configuration[TracesExporterSetting]);
        var consoleMetrics = NamesConsole(configuration[MetricsExporterSetting]);
        if (azureMonitor is null && !otlp && !consoleTraces && !consoleMetrics)
        {
            return services;
        }

        var telemetry = services.AddAppOpenTelemetry();
        if (azureMonitor is not null || otlp)
        {
            // These exporters carry logs as well: the worker's defaults tell the host so, and the
            // host stops forwarding the worker's logs itself (it would send each twice). The
            // console exporter carries no logs, so then the host keeps showing them.
            telemetry.UseFunctionsWorkerDefaults();
            // The message scope (MessageId, DequeueCount, Action) becomes attributes of each log
            // record, so a message's logs can be found by its id; and the text as written.
            services.Configure<OpenTelemetryLoggerOptions>(options =>
            {
                options.IncludeScopes = true;
                options.IncludeFormattedMessage = true;
            });
        }

        if (azureMonitor is not null)
        {
            var credential = AzureMonitorCredential(configuration[AzureMonitorAuthenticationSetting]);
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = azureMonitor;
                options.Credential = credential;
                // Traces stay rate-limited (the exporter's default, 5 a second per instance), but
                // logs are kept whole: by default a log inside an unsampled trace is dropped, and
                // a dead-letter warning must reach the operator whichever trace it was in.
                options.EnableTraceBasedLogsSampler = false;
            });
        }

        if (otlp)
        {
            // Reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* settings.
            telemetry.UseOtlpExporter();
        }

        if (consoleTraces)
        {
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter());
        }

        if (consoleMetrics)
        {
            telemetry.WithMetrics(metrics => metrics.AddConsoleExporter());
        }

        return services;
    }

    /// <summary>
    /// OpenTelemetry with what the app emits and no exporter: the worker's span per invocation,
    /// the app's spans and meter, and the Azure SDK's spans for each storage call, under the
    /// app's service name. Tests add an in-memory exporter to it.
    /// </summary>
    public static IOpenTelemetryBuilder AddAppOpenTelemetry(this IServiceCollection services) =>
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(AppTelemetry.Name))
            // The Azure SDK's sources are named after its clients (Azure.Storage.Queues.QueueClient, ...).
            .WithTracing(tracing => tracing.AddSource(AppTelemetry.Name, WorkerSource, "Azure.*"))
            .WithMetrics(metrics => metrics.AddMeter(AppTelemetry.Name));

    /// <summary>The isolated worker's own source: its span per invocation ("function &lt;name&gt;").</summary>
    public const string WorkerSource = "Microsoft.Azure.Functions.Worker";

    /// <summary>
    /// The Entra credential the authentication setting asks for, or null for the connection
    /// string's key (local auth).
    /// </summary>
    public static Azure.Core.TokenCredential? AzureMonitorCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{AzureMonitorAuthenticationSetting} must be 'Authorization=AAD' or 'ClientId=<client id>;Authorization=AAD'.");
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }

    private static bool NamesConsole(string? exporters) =>
        exporters?.Split(',', StringSplitOptions.TrimEntries).Contains("console", StringComparer.OrdinalIgnoreCase) == true;
}
