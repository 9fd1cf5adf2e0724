using System.Globalization;
using System.Text.Json;
using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.Unit;

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
}
