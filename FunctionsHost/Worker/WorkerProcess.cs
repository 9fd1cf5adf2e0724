using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FunctionsHost.Logging;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Worker;

/// <summary>
/// A compiled app's worker running as its own process, launched with the command line and
/// environment the Functions host uses; stdout and stderr go to the worker's logs.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const string MaxMessageLength = "2147483647";

    // Every worker this process launched, so that none outlives it even if a caller forgets to
    // dispose its host.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process process;
    private readonly Task<int> exited;

    static WorkerProcess()
    {
        // The end-of-process check: a worker still running here was not stopped by its host.
        // Say so (it is a host bug) and kill it, so no worker outlives the process that launched it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var (id, leftover) in Running)
            {
                Console.Error.WriteLine($"FunctionsHost: worker process {id} was still running when its host's process ended; killing it.");
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
        AppOutput app,
        int port,
        string workerId,
        string requestId,
        IReadOnlyDictionary<string, string> appSettings,
        WorkerLogs logs)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(appSettings);
        ArgumentNullException.ThrowIfNull(logs);
        var uri = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        var start = new ProcessStartInfo(app.Executable)
        {
            WorkingDirectory = app.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in app.Arguments.Concat(
        [
            // Worker 1.x switches, as the host still passes them...
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", MaxMessageLength,
            // ...and the ones worker 2.x reads (without them it cannot find the host).
            "--functions-uri", uri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", MaxMessageLength,
        ]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = app.Directory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = app.Directory;
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
