using System.Text.Json;

namespace FunctionsApp.Testing;

/// <summary>The app's host.json queue settings, for tests whose bounds follow them.</summary>
public static class HostJsonQueues
{
    /// <summary>How many messages the listener receives at once: at most this many can be abandoned by one stop.</summary>
    public static int BatchSize => Setting("batchSize");

    private static int Setting(string name)
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionsAppOutput.HostJsonPath));
        return hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty(name).GetInt32();
    }
}
