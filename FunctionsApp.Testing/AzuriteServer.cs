using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FunctionsApp.Testing;

/// <summary>
/// Azurite for tests: the copy installed by <c>npm ci</c>, started on loopback ports the system picks
/// (blob and queue as two processes, since one Node thread serves each), or an external one named by
/// <c>AZURITE_CONNECTION_STRING</c>.
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    public const string ConnectionStringVariable = "AZURITE_CONNECTION_STRING";

    // Azurite's well-known development account (public, documented, only valid on the emulator).
    public const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<AzuriteServer>> LazyShared = new(() => StartSharedAsync());

    private readonly List<AzuriteProcess> processes;
    private readonly string? dataDirectory;
    private readonly IReadOnlyList<string> extraArguments;

    private AzuriteServer(
        string connectionString, int? blobPort, int? queuePort, List<AzuriteProcess> processes, string? dataDirectory = null, IReadOnlyList<string>? extraArguments = null)
    {
        ConnectionString = connectionString;
        BlobPort = blobPort;
        QueuePort = queuePort;
        this.processes = processes;
        this.dataDirectory = dataDirectory;
        this.extraArguments = extraArguments ?? [];
    }

    /// <summary>A storage connection string for the Azure SDK and for the app's AzureWebJobsStorage.</summary>
    public string ConnectionString { get; }

    /// <summary>The blob port of an Azurite started here; null for an external one.</summary>
    public int? BlobPort { get; }

    /// <summary>The queue port of an Azurite started here; null for an external one.</summary>
    public int? QueuePort { get; }

    /// <summary>
    /// The blob and queue ports, for a test that reroutes one of them; an external Azurite (named by
    /// <see cref="ConnectionStringVariable"/>) has none, and the test fails saying why it needs them.
    /// </summary>
    public (int Blob, int Queue) OwnPorts(string why) =>
        BlobPort is { } blob && QueuePort is { } queue
            ? (blob, queue)
            : throw new InvalidOperationException($"This test needs the Azurite started by the tests ({why}); unset {ConnectionStringVariable}.");

    /// <summary>One Azurite for the whole test run, stopped when the test process exits.</summary>
    public static Task<AzuriteServer> SharedAsync() => LazyShared.Value;

    /// <summary>A connection string whose endpoints are given explicitly.</summary>
    public static string BuildConnectionString(int blobPort, int queuePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};";

    /// <summary>Starts a private Azurite; in memory unless <paramref name="dataDirectory"/> is given.</summary>
    /// <param name="dataDirectory">Where data is kept; null for in memory.</param>
    /// <param name="extraArguments">More command-line options for both services, e.g. <c>--oauth basic --cert ... --key ...</c>.</param>
    /// <param name="cancellationToken">Stops waiting for the start.</param>
    public static async Task<AzuriteServer> StartAsync(
        string? dataDirectory = null, IReadOnlyList<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: {script} is missing. Run `npm ci` in {RepositoryPaths.Root} " +
                $"(or set {ConnectionStringVariable} to the connection string of a running Azurite).");
        }

        extraArguments ??= [];
        var blob = await AzuriteProcess.StartAsync("blob", dataDirectory, null, extraArguments, cancellationToken);
        try
        {
            var queue = await AzuriteProcess.StartAsync("queue", dataDirectory, null, extraArguments, cancellationToken);
            return new AzuriteServer(BuildConnectionString(blob.Port, queue.Port), blob.Port, queue.Port, [blob, queue], dataDirectory, extraArguments);
        }
        catch
        {
            await blob.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node processes of an Azurite started here (none for an external one), for measuring what they cost.</summary>
    public IReadOnlyList<int> ProcessIds => [.. processes.Select(p => p.ProcessId)];

    /// <summary>True while both services of an Azurite started here run (false after <see cref="StopAsync"/>).</summary>
    public bool IsRunning => processes.Count > 0;

    /// <summary>
    /// Stops both services, as an outage would, but the way Azurite is meant to stop (SIGTERM): it
    /// saves its metadata first, so an on-disk Azurite started again has everything it acknowledged.
    /// A kill could drop the last seconds of writes, which no client could guard against.
    /// </summary>
    public async Task StopAsync()
    {
        EnsureStartedHere();
        // Both at once: the outage a test asks for should not grow by a second stop.
        await Task.WhenAll(processes.Select(p => p.StopAsync(TimeSpan.FromSeconds(15))));
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        processes.Clear();
    }

    /// <summary>Starts both services again after <see cref="StopAsync"/>, on the same ports and with the same data directory.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        EnsureStartedHere();
        if (processes.Count > 0)
        {
            throw new InvalidOperationException("Azurite is running; stop it before starting it again.");
        }

        if (dataDirectory is null)
        {
            throw new InvalidOperationException("An in-memory Azurite loses everything when stopped; start it with a data directory to restart it.");
        }

        var blob = AzuriteProcess.StartAsync("blob", dataDirectory, BlobPort, extraArguments, cancellationToken);
        var queue = AzuriteProcess.StartAsync("queue", dataDirectory, QueuePort, extraArguments, cancellationToken);
        try
        {
            await Task.WhenAll(blob, queue);
        }
        finally
        {
            // Whichever started is kept, so DisposeAsync stops it even if the other failed.
            processes.AddRange(new[] { blob, queue }.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Every service is killed before any is waited for: run from a process-exit handler, which
        // the runtime may cut short, waiting for the blob service first once left the queue
        // service running after the tests had ended.
        foreach (var process in processes)
        {
            process.Kill();
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        processes.Clear();
    }

    private void EnsureStartedHere()
    {
        if (BlobPort is null || QueuePort is null)
        {
            throw new InvalidOperationException($"This Azurite was not started by the tests ({ConnectionStringVariable} is set); it cannot be stopped or restarted here.");
        }
    }

    private static async Task<AzuriteServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } external)
        {
            return new AzuriteServer(external, null, null, []);
        }

        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    /// <summary>One Azurite service (blob or queue) as a child process.</summary>
    private sealed class AzuriteProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output;

        private AzuriteProcess(Process process, int port, StringBuilder output)
        {
            this.process = process;
            Port = port;
            this.output = output;
        }

        public int Port { get; }

        public int ProcessId => process.Id;

        /// <param name="service">blob or queue.</param>
        /// <param name="dataDirectory">Where data is kept; null for in memory.</param>
        /// <param name="port">A fixed port (a restart); null for one the system picks.</param>
        /// <param name="extraArguments">More command-line options.</param>
        /// <param name="cancellationToken">Stops waiting for the start.</param>
        public static async Task<AzuriteProcess> StartAsync(
            string service, string? dataDirectory, int? port, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
        {
            if (port is null)
            {
                // Port 0: the system binds a free port and Azurite prints it, so no port is guessed
                // and none can be taken by another process between a guess and the bind.
                return await TryStartAsync(service, dataDirectory, 0, extraArguments, cancellationToken);
            }

            // A restart must come back on the port its clients already use, which the process
            // just stopped may still hold for a moment.
            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    return await TryStartAsync(service, dataDirectory, port.Value, extraArguments, cancellationToken);
                }
                catch (PortTakenException ex)
                {
                    last = ex;
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                }
            }

            throw new InvalidOperationException($"Azurite {service} could not listen on port {port} again.", last);
        }

        private static async Task<AzuriteProcess> TryStartAsync(
            string service, string? dataDirectory, int port, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
        {
            var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", service, "main.js");
            if (dataDirectory is not null)
            {
                Directory.CreateDirectory(dataDirectory);
            }

            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dataDirectory ?? Path.GetTempPath(),
            };
            foreach (var arg in new[]
            {
                script, $"--{service}Host", "127.0.0.1", $"--{service}Port", port.ToString(CultureInfo.InvariantCulture),
                "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose",
            })
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add(dataDirectory is null ? "--inMemoryPersistence" : $"--location={dataDirectory}");
            foreach (var arg in extraArguments)
            {
                start.ArgumentList.Add(arg);
            }

            var output = new StringBuilder();
            var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("Node.js is needed to run Azurite: install Node.js 20 and run `npm ci`.", ex);
            }

            process.OutputDataReceived += (_, e) =>
            {
                Append(output, e.Data);
                if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
                }
            };
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Each service prints "Azurite Blob service successfully listens on http://127.0.0.1:PORT"
            // once its server is bound, with the port the system gave it when asked for port 0
            // (azurite/dist/src/blob/main.js and queue/main.js print ServerBase.getHttpServerAddress()).
            var exited = process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(listening.Task, exited, Task.Delay(StartTimeout, cancellationToken));
            if (first == listening.Task)
            {
                return new AzuriteProcess(process, listening.Task.Result, output);
            }

            var failed = new AzuriteProcess(process, port, output);
            if (cancellationToken.IsCancellationRequested)
            {
                await failed.DisposeAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (first == exited)
            {
                var text = failed.Output();
                var exitCode = process.ExitCode;
                await failed.DisposeAsync();
                if (text.Contains("EADDRINUSE", StringComparison.Ordinal))
                {
                    throw new PortTakenException();
                }

                throw new InvalidOperationException($"Azurite {service} exited with code {exitCode} at start:\n{text}");
            }

            await failed.DisposeAsync();
            throw new TimeoutException($"Azurite {service} did not say which port it listens on within {StartTimeout.TotalSeconds} s:\n{failed.Output()}");
        }

        /// <summary>Asks the service to shut down (SIGTERM, which Azurite handles by saving and closing); kills it after <paramref name="grace"/>.</summary>
        public async Task StopAsync(TimeSpan grace)
        {
            if (process.HasExited)
            {
                return;
            }

            var signal = new ProcessStartInfo("kill") { UseShellExecute = false };
            signal.ArgumentList.Add("-TERM");
            signal.ArgumentList.Add(process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (var kill = Process.Start(signal))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            try
            {
                await process.WaitForExitAsync().WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                // DisposeAsync kills what is left.
            }
        }

        /// <summary>Kills the service's own process without waiting; DisposeAsync waits (and kills any children).</summary>
        public void Kill()
        {
            try
            {
                if (!process.HasExited)
                {
                    // Not the tree: finding it reads every process on the machine, slow enough on a
                    // busy one that a process-exit handler was cut short after the blob service and
                    // left the queue service running (after several filtered runs on 2026-12-06).
                    // The service is node itself, with no children of its own.
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            finally
            {
                process.Dispose();
            }
        }

        private string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        private static void Append(StringBuilder output, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"service successfully listens on https?://[^\s]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();

    private sealed class PortTakenException : Exception;
}
