using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsApp.Tests.Infrastructure;
using FunctionsHost;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// What the image's last stage runs, short of the image: the app published with the Dockerfile's
/// own <c>dotnet publish</c> options into a folder laid out as the image's <c>/home/site/wwwroot</c>,
/// run from there by the stand-in host, answers the greeting.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class ContainerLayoutEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("container-layout-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task PublishedAsTheDockerfileDoes_RunsFromTheScriptRoot_AndAnswersTheGreeting()
    {
        var dockerfile = RepositoryDockerfile.Load();
        var scriptRoot = Path.Combine(root, dockerfile.PublishOutput.TrimStart('/'));
        await PublishAsync(dockerfile.PublishArguments, dockerfile.PublishOutput, scriptRoot);
        Assert.True(File.Exists(Path.Combine(scriptRoot, "host.json")), "host.json is not in the published folder.");
        Assert.True(File.Exists(Path.Combine(scriptRoot, "worker.config.json")), "worker.config.json is not in the published folder.");
        Assert.False(File.Exists(Path.Combine(scriptRoot, "local.settings.json")), "local.settings.json was published.");

        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = scriptRoot,
            // The greeting touches no storage; the app still checks the setting at start.
            AppSettings = new Dictionary<string, string>
            {
                [AppServices.StorageConnectionSetting] = "UseDevelopmentStorage=true",
                [AppServices.WorkItemsQueueSetting] = "work-items",
            },
            EnableQueues = false,
            StartTimeout = TimeSpan.FromSeconds(60),
        });
        using var client = new HttpClient { BaseAddress = host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        using var response = await client.GetAsync(new Uri("api/hello?name=Ada", UriKind.Relative));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Equal("Hello Ada! Welcome to serverless.", body.RootElement.GetProperty("message").GetString());
    }

    /// <summary>Runs the Dockerfile's publish with its output folder moved under this test's folder.</summary>
    private async Task PublishAsync(IReadOnlyList<string> arguments, string imageOutput, string localOutput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add("publish");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument == imageOutput ? localOutput : argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.WriteLine($"dotnet publish {string.Join(' ', start.ArgumentList.Skip(1))}");
        Assert.True(process.ExitCode == 0, $"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
