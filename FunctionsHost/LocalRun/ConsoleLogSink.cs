using FunctionsHost.Logging;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.LocalRun;

/// <summary>Writes each log line with its level and category, one line per entry, as it arrives.</summary>
internal sealed class ConsoleLogSink(TextWriter output)
{
    private readonly Lock gate = new();

    public void Write(WorkerLogEntry entry)
    {
        // Entries without text (Host.Results and Host.Aggregator carry only state, for
        // Application Insights) would print as a bare category.
        if (entry.Level < LogLevel.Information || (entry.Message.Length == 0 && string.IsNullOrEmpty(entry.Exception)))
        {
            return;
        }

        lock (gate)
        {
            output.WriteLine(entry.ToString());
            output.Flush();
        }
    }
}
