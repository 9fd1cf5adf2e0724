using FunctionsHost.Logging;
using Xunit.Abstractions;

namespace FunctionsApp.Testing;

/// <summary>Prints a host's captured logs into a test's output, where xunit shows them on failure.</summary>
public static class WorkerLogsOutput
{
    /// <summary>Writes the lines from <paramref name="from"/> on to a test's output.</summary>
    public static void WriteTo(this WorkerLogs logs, ITestOutputHelper output, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var entry in logs.Snapshot(from))
        {
            try
            {
                output.WriteLine(entry.ToString());
            }
            catch (InvalidOperationException)
            {
                // The test has already finished; its output is closed.
                return;
            }
        }
    }
}
