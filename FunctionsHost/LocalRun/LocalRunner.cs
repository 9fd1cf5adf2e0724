using System.Collections;
using System.Globalization;
using FunctionsHost.Http;
using FunctionsHost.Worker;

namespace FunctionsHost.LocalRun;

/// <summary>
/// Runs a built app the way <c>func start</c> does, for machines without Core Tools: app settings
/// from the <c>local.settings.json</c> Core Tools would read from the folder the run starts in (the
/// environment wins), HTTP functions on localhost:7071, queue
/// triggers through the WebJobs listener, the worker's logs on the console, and a clean stop on
/// Ctrl-C or SIGTERM.
/// </summary>
public static class LocalRunner
{
    /// <summary>The port <c>func start</c> serves on unless told otherwise.</summary>
    public const int DefaultHttpPort = 7071;

    /// <summary>The storage setting the Functions host needs, as a connection string or an identity-based section.</summary>
    public const string StorageSetting = "AzureWebJobsStorage";

    /// <summary>How long a stop waits for invocations in flight; with the worker's grace it stays under 10 s.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan TerminateGrace = TimeSpan.FromSeconds(3);

    public const string Usage = "Usage: FunctionsHost <app build output folder> [--port <port>]";

    /// <summary>
    /// Runs until <paramref name="stop"/> fires; returns the process exit code (0 after a clean stop).
    /// <paramref name="startDirectory"/> is where the user started the run (the current directory):
    /// <c>local.settings.json</c> is looked up from there as Core Tools does, so the run reads the
    /// file the user edits, not the build's copy in the app folder.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, string startDirectory, IReadOnlyDictionary<string, string> environment, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(output);
        WorkerHost? host = null;
        try
        {
            var (appDirectory, portArgument) = ParseArguments(args);
            AppOutput app;
            try
            {
                app = AppOutput.Load(appDirectory);
            }
            catch (InvalidOperationException ex)
            {
                throw new LocalRunException(ex.Message, ex);
            }

            var settingsFile = LocalSettings.Locate(startDirectory, app.Directory);
            LocalSettings local;
            if (File.Exists(settingsFile))
            {
                local = LocalSettings.Read(settingsFile);
                await output.WriteLineAsync($"App settings from {settingsFile} (environment variables win).");
            }
            else
            {
                local = LocalSettings.Empty;
                await output.WriteLineAsync($"No {settingsFile}; app settings come from the environment only.");
            }

            var settings = MergeSettings(local, environment);
            var port = portArgument ?? local.LocalHttpPort ?? DefaultHttpPort;
            var connection = StorageConnection(settings, settingsFile);
            if (connection is not null)
            {
                await LocalStorage.PrepareAsync(connection, QueuesNamedIn(settings), output, stop);
            }

            await output.WriteLineAsync($"Starting the worker of {app.Directory} ...");
            var console = new ConsoleLogSink(output);
            try
            {
                host = await WorkerHost.StartAsync(new WorkerHostOptions
                {
                    AppDirectory = app.Directory,
                    AppSettings = settings,
                    HttpPort = port,
                    LogSink = console.Write,
                    LogCapacity = 2_000,
                    DrainTimeout = DrainTimeout,
                    TerminateGrace = TerminateGrace,
                });
            }
            catch (PortInUseException ex)
            {
                throw new LocalRunException(
                    $"Port {ex.Port} is already in use. Stop what listens there, or choose another port: --port, Host.LocalHttpPort in {settingsFile}, or FUNCTIONS_HTTP_PORT for scripts/run-local.sh.", ex);
            }
            catch (WorkerUnavailableException ex)
            {
                throw new LocalRunException(ex.Message, ex);
            }
            catch (InvalidOperationException ex)
            {
                throw new LocalRunException(ex.Message, ex);
            }

            await output.WriteLineAsync(FunctionList(host));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Host ready: {host.Functions.Count} functions, worker {host.WorkerProcessId} started in {host.StartupTimes.FunctionsLoaded.TotalMilliseconds:F0} ms. Press Ctrl+C to stop."));

            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: stop below.
            }

            await output.WriteLineAsync($"Stopping: no new work; invocations in flight get up to {DrainTimeout.TotalSeconds:F0} s to finish.");
            await host.DisposeAsync();
            host = null;
            await output.WriteLineAsync("Stopped.");
            return 0;
        }
        catch (LocalRunException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The app folder and an optional <c>--port</c>.</summary>
    public static (string AppDirectory, int? Port) ParseArguments(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? directory = null;
        int? port = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--port" or "-p")
            {
                if (i + 1 >= args.Count
                    || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    || number is < 1 or > 65535)
                {
                    throw new LocalRunException($"--port needs a port number from 1 to 65535. {Usage}");
                }

                port = number;
                i++;
            }
            else if (args[i].StartsWith('-') || directory is not null)
            {
                throw new LocalRunException($"Unexpected argument '{args[i]}'. {Usage}");
            }
            else
            {
                directory = args[i];
            }
        }

        return (directory ?? throw new LocalRunException($"No app folder given. {Usage}"), port);
    }

    /// <summary>
    /// The app settings: <c>local.settings.json</c>'s values, overridden by the environment, as Core
    /// Tools does (a value already in the environment is not replaced by the file's).
    /// </summary>
    public static Dictionary<string, string> MergeSettings(LocalSettings local, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(environment);
        var merged = new Dictionary<string, string>(local.Values, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>
    /// The storage connection string, or null for an identity-based section (the queue listener
    /// builds its own credential from it). Throws when neither form is there, naming
    /// <paramref name="settingsFile"/> as the place to set it.
    /// </summary>
    public static string? StorageConnection(IReadOnlyDictionary<string, string> settings, string settingsFile)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.TryGetValue(StorageSetting, out var value) && !string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        if (settings.Any(s => s.Key.StartsWith(StorageSetting + "__", StringComparison.OrdinalIgnoreCase) && s.Value.Length > 0))
        {
            return null;
        }

        throw new LocalRunException(
            $"The app setting '{StorageSetting}' is missing. Set it in {settingsFile} under Values " +
            "(\"UseDevelopmentStorage=true\" for Azurite on its default ports) or as an environment variable.");
    }

    /// <summary>
    /// The queues the app names in its settings (every setting whose name ends in <c>QueueName</c>),
    /// created before the start so the queue listener never polls a missing queue.
    /// </summary>
    public static IReadOnlyList<string> QueuesNamedIn(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings
            .Where(s => s.Key.EndsWith("QueueName", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(s.Value))
            .Select(s => s.Value.Trim())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Reads the environment as app settings.</summary>
    public static IReadOnlyDictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    private static string FunctionList(WorkerHost host)
    {
        var lines = new List<string> { "", "Functions:", "" };
        foreach (var function in host.Functions)
        {
            if (function.IsHttpTrigger)
            {
                var methods = function.HttpMethods.Count == 0 ? "ALL" : string.Join(",", function.HttpMethods.Select(m => m.ToUpperInvariant()));
                lines.Add($"        {function.Name}: [{methods}] {host.HttpBaseAddress}api/{function.HttpRoute}");
            }
            else
            {
                lines.Add($"        {function.Name}: {function.TriggerType}");
            }

            lines.Add("");
        }

        return string.Join(System.Environment.NewLine, lines);
    }
}
