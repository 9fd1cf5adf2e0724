using System.Diagnostics;
using System.Globalization;
using System.Net;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Reports;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// The README's first command, run for real: <c>scripts/run-local.sh</c> without Core Tools starts
/// its own Azurite, builds, runs the app in the project's host, serves the greeting and turns a
/// queued report request into a blob; SIGINT stops everything it started with exit code 0.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class LocalRunScriptEndToEndTests(ITestOutputHelper output) : IDisposable
{
    // The script builds the app and the host first (incremental after the test build).
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);
    private readonly string azuriteLocation = Directory.CreateTempSubdirectory("local-run-azurite-").FullName;
    private readonly List<string> lines = [];

    [LinuxX64Fact]
    public async Task RunLocal_WithoutCoreTools_ServesGreetingProcessesQueueAndStopsCleanlyOnSigint()
    {
        var (blobPort, queuePort, tablePort, httpPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var queueName = "local-run-" + Guid.NewGuid().ToString("N")[..12];
        var containerName = "local-run-" + Guid.NewGuid().ToString("N")[..12];
        // As a terminal starts it: with SIGINT at its default. A test run started in the background
        // of a shell inherits SIGINT ignored, and bash cannot trap a signal ignored at its start, so
        // Ctrl-C would be tested against a script that never sees it.
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "bash", Path.Combine(RepositoryPaths.Root, "scripts", "run-local.sh")])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = PathWithoutFunc();
        start.Environment["FUNCTIONS_LOCAL_HOST"] = "builtin";
        start.Environment["AZURITE_BLOB_PORT"] = Text(blobPort);
        start.Environment["AZURITE_QUEUE_PORT"] = Text(queuePort);
        start.Environment["AZURITE_TABLE_PORT"] = Text(tablePort);
        start.Environment["AZURITE_LOCATION"] = azuriteLocation;
        start.Environment["FUNCTIONS_HTTP_PORT"] = Text(httpPort);
        // App settings from the environment win over local.settings.json, as under Core Tools.
        start.Environment["WorkItemsQueueName"] = queueName;
        start.Environment["Reports__ContainerName"] = containerName;

        using var script = new Process { StartInfo = start };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.OutputDataReceived += (_, e) => Capture(e.Data, ready);
        script.ErrorDataReceived += (_, e) => Capture(e.Data, ready);
        script.Start();
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        var started = new List<int>();
        try
        {
            var exited = script.WaitForExitAsync();
            if (await Task.WhenAny(ready.Task, exited, Task.Delay(ReadyTimeout)) != ready.Task)
            {
                Assert.Fail($"Expected the ready line within {ReadyTimeout}; the script {(script.HasExited ? $"exited with {script.ExitCode}" : "is still starting")}.{Environment.NewLine}{Output()}");
            }

            Assert.Contains(lines, l => l.Contains("Runs with the project's own host", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains($"Hello: [GET,POST] http://localhost:{httpPort}/api/hello", StringComparison.Ordinal));
            started.AddRange(Descendants(script.Id));
            Assert.True(started.Count >= 3, $"Expected Azurite, the host and the worker below the script; found {started.Count}: {Describe(started)}");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var greeting = await http.GetAsync(new Uri($"http://localhost:{httpPort}/api/hello?name=Ada"));
            var body = await greeting.Content.ReadAsStringAsync();
            Assert.True(greeting.StatusCode == HttpStatusCode.OK, $"Expected 200 from the greeting; got {(int)greeting.StatusCode}: {body}");
            Assert.Contains("Hello Ada!", body, StringComparison.Ordinal);

            var connection = AzuriteServer.BuildConnectionString(blobPort, queuePort);
            var reportId = "r-" + Guid.NewGuid().ToString("N");
            await new QueueClient(connection, queueName).SendMessageAsync($$"""{"action":"generate_report","report_id":"{{reportId}}"}""");
            var blob = new BlobServiceClient(connection).GetBlobContainerClient(containerName).GetBlobClient(BlobReportStore.BlobName(reportId));
            await UntilAsync(async () => (await blob.ExistsAsync()).Value, TimeSpan.FromSeconds(60), $"the report blob {blob.Name} in {containerName}");

            Assert.Equal(0, await SignalAsync(script.Id, "INT"));
            // The host drains for up to 5 s, then stops the worker, then the script stops Azurite:
            // about 6 s alone. The bound is for a script that never stops, with room for a busy machine.
            using var stopDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await script.WaitForExitAsync(stopDeadline.Token);
            Assert.True(script.ExitCode == 0, $"Expected exit code 0 after SIGINT; got {script.ExitCode}.{Environment.NewLine}{Output()}");
            Assert.Contains(lines, l => l == "Stopped.");
            Assert.Contains(lines, l => l.Contains("Stopped the Azurite this script started", StringComparison.Ordinal));
            await UntilAsync(() => Task.FromResult(started.All(IsGone)), TimeSpan.FromSeconds(10), $"no process left of {Describe(started)}");
        }
        finally
        {
            foreach (var pid in started.Where(p => !IsGone(p)))
            {
                await SignalAsync(pid, "KILL");
            }

            if (!script.HasExited)
            {
                script.Kill(entireProcessTree: true);
            }

            output.WriteLine(Output());
        }
    }

    public void Dispose() => Directory.Delete(azuriteLocation, recursive: true);

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sends a signal as a user's shell would (Ctrl-C is SIGINT); returns kill's exit code.</summary>
    private static async Task<int> SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Text(pid)]);
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string expected)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Expected {expected} within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }

    private void Capture(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }

        if (line.StartsWith("Host ready:", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    private string Output()
    {
        lock (lines)
        {
            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>The PATH without any folder that holds a <c>func</c>, so Core Tools cannot be found.</summary>
    private static string PathWithoutFunc() => string.Join(':',
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(folder => !File.Exists(Path.Combine(folder, "func"))));

    /// <summary>Every process below <paramref name="root"/>, read from /proc.</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var child in parents.Where(p => p.Value == current).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }

        return found;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string Describe(IEnumerable<int> pids) => string.Join("; ", pids.Select(pid =>
    {
        try
        {
            return $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()}";
        }
        catch (IOException)
        {
            return $"{pid}: (gone)";
        }
    }));
}
