using System.Diagnostics;

namespace FunctionsApp.Tests.Benchmarks;

/// <summary>
/// Times a .NET app from launch to its first line on stdout, the same clock the test host uses for
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

        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                line.TrySetResult(e.Data);
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

        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var first = await Task.WhenAny(line.Task, process.WaitForExitAsync()).WaitAsync(Timeout);
            var elapsed = clock.Elapsed;
            if (first != line.Task || line.Task.Result != expectedLine)
            {
                await process.WaitForExitAsync().WaitAsync(Timeout);
                lock (stderr)
                {
                    throw new InvalidOperationException(
                        $"{Path.GetFileName(dll)} did not print '{expectedLine}' (exit code {process.ExitCode}, first line " +
                        $"'{(line.Task.IsCompleted ? line.Task.Result : "")}'). stderr:\n{stderr}");
                }
            }

            await process.WaitForExitAsync().WaitAsync(Timeout);
            return elapsed;
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
