using System.Diagnostics;
using System.Text;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// Azurite for tests: the copy installed by <c>npm ci</c>, started on free loopback ports (blob and
/// queue as two processes, since one Node thread serves each), or an external one named by
/// <c>AZURITE_CONNECTION_STRING</c>.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string ConnectionStringVariable = "AZURITE_CONNECTION_STRING";

    // Azurite's well-known development account (public, documented, only valid on the emulator).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<AzuriteServer>> LazyShared = new(() => StartSharedAsync());

    private readonly List<AzuriteProcess> processes;

    private AzuriteServer(string connectionString, int? blobPort, int? queuePort, List<AzuriteProcess> processes)
    {
        ConnectionString = connectionString;
        BlobPort = blobPort;
        QueuePort = queuePort;
        this.processes = processes;
    }

    /// <summary>A storage connection string for the Azure SDK and for the app's AzureWebJobsStorage.</summary>
    public string ConnectionString { get; }

    /// <summary>The blob port of an Azurite started here; null for an external one.</summary>
    public int? BlobPort { get; }

    /// <summary>The queue port of an Azurite started here; null for an external one.</summary>
    public int? QueuePort { get; }

    /// <summary>One Azurite for the whole test run, stopped when the test process exits.</summary>
    public static Task<AzuriteServer> SharedAsync() => LazyShared.Value;

    /// <summary>A connection string whose endpoints are given explicitly.</summary>
    public static string BuildConnectionString(int blobPort, int queuePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};";

    /// <summary>Starts a private Azurite; in memory unless <paramref name="dataDirectory"/> is given.</summary>
    public static async Task<AzuriteServer> StartAsync(string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: {script} is missing. Run `npm ci` in {RepositoryPaths.Root} " +
                $"(or set {ConnectionStringVariable} to the connection string of a running Azurite).");
        }

        var blob = await AzuriteProcess.StartAsync("blob", dataDirectory, cancellationToken);
        try
        {
            var queue = await AzuriteProcess.StartAsync("queue", dataDirectory, cancellationToken);
            return new AzuriteServer(BuildConnectionString(blob.Port, queue.Port), blob.Port, queue.Port, [blob, queue]);
        }
        catch
        {
            await blob.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            await process.DisposeAsync();
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

        public static async Task<AzuriteProcess> StartAsync(string service, string? dataDirectory, CancellationToken cancellationToken)
        {
            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    return await TryStartAsync(service, dataDirectory, cancellationToken);
                }
                catch (PortTakenException ex)
                {
                    last = ex;
                }
            }

            throw new InvalidOperationException($"Azurite {service} could not get a free port.", last);
        }

        private static async Task<AzuriteProcess> TryStartAsync(string service, string? dataDirectory, CancellationToken cancellationToken)
        {
            var port = FreePorts.Next();
            var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", service, "main.js");
            var location = dataDirectory ?? Path.Combine(Path.GetTempPath(), "functionsapp-azurite-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(location);
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = location,
            };
            foreach (var arg in new[]
            {
                script, $"--{service}Host", "127.0.0.1", $"--{service}Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose",
            })
            {
                start.ArgumentList.Add(arg);
            }

            // Azurite 3.35 refuses --inMemoryPersistence together with --location.
            if (dataDirectory is null)
            {
                start.ArgumentList.Add("--inMemoryPersistence");
            }
            else
            {
                start.ArgumentList.Add("--location");
                start.ArgumentList.Add(location);
            }

            var output = new StringBuilder();
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("Node.js is needed to run Azurite: install Node.js 20 and run `npm ci`.", ex);
            }

            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var started = new AzuriteProcess(process, port, output);
            var deadline = DateTime.UtcNow + StartTimeout;
            while (!await FreePorts.IsListeningAsync(port, cancellationToken))
            {
                if (process.HasExited)
                {
                    var text = started.Output();
                    var exitCode = process.ExitCode;
                    await started.DisposeAsync();
                    if (text.Contains("EADDRINUSE", StringComparison.Ordinal))
                    {
                        throw new PortTakenException();
                    }

                    throw new InvalidOperationException($"Azurite {service} exited with code {exitCode} at start:\n{text}");
                }

                if (DateTime.UtcNow > deadline)
                {
                    await started.DisposeAsync();
                    throw new TimeoutException($"Azurite {service} did not listen on port {port} within {StartTimeout.TotalSeconds} s:\n{started.Output()}");
                }

                await Task.Delay(50, cancellationToken);
            }

            return started;
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

    private sealed class PortTakenException : Exception;
}
