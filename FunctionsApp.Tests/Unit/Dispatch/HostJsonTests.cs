using System.Globalization;
using System.Text.Json;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class HostJsonTests
{
    [Fact]
    public void FunctionTimeout_IsChosenAndShorterThanFlexConsumptionsDefault()
    {
        // Never run on a default nobody chose (README "Settings"): Flex Consumption's own is 30 minutes.
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));

        Assert.True(hostJson.RootElement.TryGetProperty("functionTimeout", out var value), "host.json must set functionTimeout");
        var timeout = TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(timeout, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void LocalSettingsSample_SilencesTheHostsPerRequestLines()
    {
        // The Functions host logs "Executing/Executed HTTP request" (SystemTraceMiddleware, 2 entries,
        // 14 console lines) for every request in a local run. Its web host takes its log levels from
        // app settings, not from host.json (a host.json level for the category changed nothing,
        // measured under host 4.1037); in Azure these lines go to the platform's own logs, not to
        // Application Insights.
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));

        var values = sample.RootElement.GetProperty("Values");

        Assert.True(values.TryGetProperty("Logging__LogLevel__" + SystemTraceCategory, out var level),
            $"local.settings.sample.json must set Logging__LogLevel__{SystemTraceCategory}");
        Assert.Equal("Warning", level.GetString());
    }

    private const string SystemTraceCategory = "Microsoft.Azure.WebJobs.Script.WebHost.Middleware.SystemTraceMiddleware";
}
