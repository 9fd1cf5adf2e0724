using System.Net;
using System.Net.Sockets;
using FunctionsHost.LocalRun;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// The local run's start failures: each ends the run with exit code 1 and one line starting with
/// <c>error:</c> that says what is wrong and what to do, instead of a stack trace or a hang.
/// </summary>
public sealed class LocalRunStartFailureEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("local-run-").FullName;

    [Fact]
    public async Task RunAsync_FolderWithoutBuild_SaysToBuildFirst()
    {
        var (exitCode, text) = await RunAsync([directory], new Dictionary<string, string>());

        Assert.Equal(1, exitCode);
        Assert.Contains("error: ", text, StringComparison.Ordinal);
        Assert.Contains("no worker.config.json", text, StringComparison.Ordinal);
        Assert.Contains("Build the app first", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EncryptedLocalSettings_SaysHowToDecrypt()
    {
        FakeApp();
        File.WriteAllText(Path.Combine(directory, "local.settings.json"), """{ "IsEncrypted": true, "Values": {} }""");

        var (exitCode, text) = await RunAsync([directory], new Dictionary<string, string>());

        Assert.Equal(1, exitCode);
        Assert.Contains("func settings decrypt", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoStorageSetting_NamesTheSetting()
    {
        FakeApp();

        var (exitCode, text) = await RunAsync([directory], new Dictionary<string, string>());

        Assert.Equal(1, exitCode);
        Assert.Contains("error: The app setting 'AzureWebJobsStorage' is missing", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StorageNotListening_SaysStorageIsNotReachable()
    {
        FakeApp();
        var closed = FreePorts.Closed();
        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = AzuriteServer.BuildConnectionString(closed, closed) };

        var (exitCode, text) = await RunAsync([directory], settings);

        Assert.Equal(1, exitCode);
        Assert.Contains($"error: Storage is not reachable at http://127.0.0.1:{closed}/", text, StringComparison.Ordinal);
        Assert.Contains("Start Azurite", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WorkerCannotStart_QuotesItsStderr()
    {
        // An entry "assembly" that is not one: dotnet exits at once and says why on stderr.
        FakeApp();
        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage__queueServiceUri"] = "https://account.queue.core.windows.net" };

        var (exitCode, text) = await RunAsync([directory, "--port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)], settings);

        Assert.Equal(1, exitCode);
        Assert.Contains("error: The worker did not start", text, StringComparison.Ordinal);
        Assert.Contains("exited with code", text, StringComparison.Ordinal);
        Assert.Contains("Its stderr ends with:", text, StringComparison.Ordinal);
        Assert.Contains("A fatal error was encountered", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PortTaken_NamesThePortAndTheSetting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var storage = new AppStorageNames();
        int exitCode;
        string text;
        try
        {
            (exitCode, text) = await RunAsync(
                [FunctionsAppOutput.Directory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                storage.AppSettings(azurite.ConnectionString),
                startDirectory: FunctionsAppOutput.Directory);
        }
        finally
        {
            await storage.DeleteAsync(azurite.Queues, azurite.Blobs);
        }

        Assert.Equal(1, exitCode);
        Assert.Contains($"error: Port {port} is already in use", text, StringComparison.Ordinal);
        Assert.Contains("Host.LocalHttpPort", text, StringComparison.Ordinal);
        Assert.Contains("FUNCTIONS_HTTP_PORT", text, StringComparison.Ordinal);
        // One line says it all: no stack trace from the HTTP front's own start-up before it.
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StartedInTheProjectFolder_ReadsTheFileTheUserEditsNotTheBuildCopy()
    {
        // The repository's layout, as the VS Code launch configuration runs it: started in the
        // project folder, which has neither host.json nor local.settings.json; the user's file sits
        // beside host.json one level up, and the build left an older copy in the output folder.
        File.WriteAllText(Path.Combine(directory, "host.json"), """{ "version": "2.0" }""");
        var project = Directory.CreateDirectory(Path.Combine(directory, "FunctionsApp")).FullName;
        var appOutput = Directory.CreateDirectory(Path.Combine(project, "bin", "Debug", "net10.0")).FullName;
        FakeApp(appOutput);
        var (edited, copied) = (FreePorts.Closed(), FreePorts.Closed());
        while (copied == edited)
        {
            copied = FreePorts.Closed();
        }

        File.WriteAllText(Path.Combine(directory, "local.settings.json"), StorageSettings(edited));
        File.WriteAllText(Path.Combine(appOutput, "local.settings.json"), StorageSettings(copied));

        var (exitCode, text) = await RunAsync([appOutput], new Dictionary<string, string>(), startDirectory: project);

        Assert.Equal(1, exitCode);
        Assert.Contains($"App settings from {Path.Combine(directory, "local.settings.json")} ", text, StringComparison.Ordinal);
        Assert.Contains($"error: Storage is not reachable at http://127.0.0.1:{edited}/", text, StringComparison.Ordinal);
        Assert.DoesNotContain(appOutput + "/local.settings.json", text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string StorageSettings(int port) =>
        $$"""{ "IsEncrypted": false, "Values": { "AzureWebJobsStorage": "{{AzuriteServer.BuildConnectionString(port, port)}}" } }""";

    private async Task<(int ExitCode, string Output)> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment, string? startDirectory = null)
    {
        using var writer = new StringWriter();
        using var synchronized = TextWriter.Synchronized(writer);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await LocalRunner.RunAsync(args, startDirectory ?? directory, environment, synchronized, deadline.Token);
        var text = writer.ToString();
        output.WriteLine(text);
        Assert.False(deadline.IsCancellationRequested, "Expected the run to fail at start; it ran until the test's deadline.");
        return (exitCode, text);
    }

    private void FakeApp(string? folder = null)
    {
        folder ??= directory;
        File.WriteAllText(Path.Combine(folder, "worker.config.json"),
            """{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "dotnet", "defaultWorkerPath": "app.dll" } }""");
        File.WriteAllText(Path.Combine(folder, "host.json"), """{ "version": "2.0" }""");
        File.WriteAllText(Path.Combine(folder, "app.dll"), "not an assembly");
    }
}
