using System.Diagnostics;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// Times a .NET app from launch to its first line on stdout, the same clock our host uses for
/// the worker (launch -> all functions loaded).
/// </summary>
public static class ProcessStartTimer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<TimeSpan> TimeToFirstLineAsync(string dll, string expectedLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        // The time is taken when the line arrives: the process may exit before the awaiting code runs.
        var clock = new Stopwatch();
        var line = new TaskCompletionSource<(string Text, TimeSpan At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                line.TrySetResult((e.Data, clock.Elapsed));
            }
        };
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };

        clock.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(line.Task, process.WaitForExitAsync()).WaitAsync(Timeout);
            if (!line.Task.IsCompletedSuccessfully || line.Task.Result.Text != expectedLine)
            {
                await process.WaitForExitAsync().WaitAsync(Timeout);
                lock (stderr)
                {
                    throw new InvalidOperationException(
                        $"{Path.GetFileName(dll)} did not print '{expectedLine}' (exit code {process.ExitCode}, first line " +
                        $"'{(line.Task.IsCompletedSuccessfully ? line.Task.Result.Text : "")}'). stderr:\n{stderr}");
                }
            }

            await process.WaitForExitAsync().WaitAsync(Timeout);
            return line.Task.Result.At;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
