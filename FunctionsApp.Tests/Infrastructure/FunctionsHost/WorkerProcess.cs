using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// The compiled FunctionsApp running as its own process, launched with the command line and
/// environment the Functions host uses; stdout and stderr go to the worker's logs.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const string MaxMessageLength = "2147483647";

    // Every worker this test run launched, so that none outlives it even if a test forgets to
    // dispose its host.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process process;
    private readonly Task<int> exited;

    static WorkerProcess()
    {
        // The end-of-run check: a worker still running here was not stopped by its test host.
        // Say so (it is a test host bug) and kill it, so no worker outlives the test run.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var (id, leftover) in Running)
            {
                Console.Error.WriteLine($"FunctionsTestHost: worker process {id} was still running at the end of the test run; killing it.");
                KillTree(leftover);
            }
        };
    }

    private WorkerProcess(Process process)
    {
        this.process = process;
        exited = WaitForExitAsync(process);
    }

    public int Id => process.Id;

    /// <summary>Completes with the exit code when the process has exited and its output is read.</summary>
    public Task<int> Exited => exited;

    /// <summary>Ids of launched workers that have not been seen to exit.</summary>
    public static IReadOnlyCollection<int> RunningIds => Running.Keys.ToArray();

    public static WorkerProcess Start(
        string appDirectory,
        int port,
        string workerId,
        string requestId,
        IReadOnlyDictionary<string, string> appSettings,
        WorkerLogs logs)
    {
        ArgumentNullException.ThrowIfNull(appSettings);
        ArgumentNullException.ThrowIfNull(logs);
        var uri = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(appDirectory, "FunctionsApp.dll"),
            // Worker 1.x switches, as the host still passes them...
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", MaxMessageLength,
            // ...and the ones worker 2.x reads (without them it cannot find the host).
            "--functions-uri", uri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", MaxMessageLength,
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        foreach (var (name, value) in appSettings)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Capture(logs, WorkerLogSource.Stdout, LogLevel.Information, e.Data);
        process.ErrorDataReceived += (_, e) => Capture(logs, WorkerLogSource.Stderr, LogLevel.Error, e.Data);
        if (!process.Start())
        {
            throw new WorkerUnavailableException("`dotnet` did not start.");
        }

        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>Waits up to <paramref name="grace"/> for the worker to exit, then kills its process tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            await exited.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            KillTree(process);
            await exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Kills the worker at once, as a crash would.</summary>
    public void Kill()
    {
        // The worker itself first: finding a process tree reads every process on the machine, which
        // on a busy machine takes long enough for the invocations in flight to finish, and a crash
        // does not wait for them.
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        KillTree(process);
    }

    public async ValueTask DisposeAsync()
    {
        if (!exited.IsCompleted)
        {
            KillTree(process);
            try
            {
                await exited.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // Reported by the leftover check; nothing more can be done here.
            }
        }

        process.Dispose();
    }

    private static async Task<int> WaitForExitAsync(Process process)
    {
        // Also waits for stdout and stderr to be read to their end.
        await process.WaitForExitAsync();
        Running.TryRemove(process.Id, out _);
        return process.ExitCode;
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static void Capture(WorkerLogs logs, WorkerLogSource source, LogLevel level, string? line)
    {
        if (line is not null)
        {
            logs.Add(new WorkerLogEntry(DateTimeOffset.UtcNow, source, "", level, null, line, null, null));
        }
    }
}
