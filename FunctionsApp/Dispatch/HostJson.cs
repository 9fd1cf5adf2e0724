using Microsoft.Extensions.Configuration;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Reads the few host.json values the app itself must know. host.json stays the one place they
/// are set: the Functions host applies them, the app only reads them.
/// </summary>
public static class HostJson
{
    /// <summary>The Functions host's default when host.json does not set maxDequeueCount.</summary>
    public const int DefaultMaxDequeueCount = 5;

    /// <summary>
    /// <c>extensions:queues:maxDequeueCount</c> from the host.json in <paramref name="appDirectory"/>
    /// (the worker runs in the app folder, next to host.json).
    /// </summary>
    public static int MaxDequeueCount(string appDirectory)
    {
        var hostJson = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(appDirectory, "host.json"), optional: true)
            .Build();
        return hostJson.GetValue("extensions:queues:maxDequeueCount", DefaultMaxDequeueCount);
    }
}
