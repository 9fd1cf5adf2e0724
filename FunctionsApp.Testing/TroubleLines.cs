using FunctionsHost.Logging;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FunctionsApp.Testing;

/// <summary>
/// Writes the lines of a worker's logs worth reading after a run of thousands of messages (errors
/// and the test host's own lines), where the whole log would bury them.
/// </summary>
public static class TroubleLines
{
    public static void WriteTo(ITestOutputHelper output, WorkerLogs logs, string title, int max = 60)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(logs);
        var troubles = logs.Find(e => e.Level >= LogLevel.Error || (e.Source == WorkerLogSource.Host && e.Category == "FunctionsHost"));
        try
        {
            output.WriteLine($"---- {title}: {troubles.Count} error and test host line(s) of {logs.Count} (first {max}) ----");
            foreach (var entry in troubles.Take(max))
            {
                output.WriteLine(entry.ToString());
            }
        }
        catch (InvalidOperationException)
        {
            // The test has already finished; its output is closed.
        }
    }
}
