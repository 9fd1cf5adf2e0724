using System.Diagnostics;
using System.Text.Json;
using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// The container image as far as it can be checked without a container engine: every file the
/// Dockerfile copies exists and reaches the build context, the stages it copies from exist, the
/// publish is the project's Release publish, and the image runs on the Functions base image as a
/// user other than root. That the published app runs from the image's folder layout is
/// <c>EndToEnd/ContainerLayoutEndToEndTests</c>.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class DockerfileTests
{
    private const string FunctionsBaseImage = "mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0";
    private const string ScriptRoot = "/home/site/wwwroot";

    private readonly RepositoryDockerfile dockerfile = RepositoryDockerfile.Load();

    [Fact]
    public void EveryCopyFromTheContext_NamesAPathThatExistsAndIsNotIgnored()
    {
        var copies = dockerfile.Instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.Any(a => a.StartsWith("--from=", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(copies);

        var problems = new List<string>();
        foreach (var source in copies.SelectMany(c => Sources(c)))
        {
            var path = Path.Combine(RepositoryPaths.Root, source);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                problems.Add($"{source} does not exist in the repository.");
            }
            else if (dockerfile.IsIgnored(source))
            {
                problems.Add($"{source} is left out of the build context by .dockerignore.");
            }
        }

        Assert.True(problems.Count == 0, "Dockerfile COPY:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EveryCopyFromAStage_NamesAnEarlierStage()
    {
        var stages = dockerfile.Stages;
        var copies = dockerfile.Instructions.Where(i => i.Keyword == "COPY" && i.Arguments.Any(a => a.StartsWith("--from=", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(copies);

        foreach (var copy in copies)
        {
            var from = copy.Arguments.Single(a => a.StartsWith("--from=", StringComparison.Ordinal))["--from=".Length..];
            var index = stages.ToList().FindIndex(s => string.Equals(s.Name, from, StringComparison.OrdinalIgnoreCase));
            Assert.True(index >= 0 && index < copy.Stage, $"COPY --from={from} in stage {copy.Stage} names no earlier stage.");
        }
    }

    [Fact]
    public async Task Publish_IsTheProjectsReleasePublish_ReadyToRunForLinuxX64()
    {
        var arguments = dockerfile.PublishArguments;
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, arguments[0])), $"The Dockerfile publishes {arguments[0]}, which does not exist.");
        Assert.Equal(Path.Combine("FunctionsApp", "FunctionsApp.csproj"), arguments[0]);

        // The Dockerfile's own options, as `dotnet publish` passes them to MSBuild.
        var properties = await PublishSettingsTests.EvaluateAsync(["-p:_IsPublishing=true", .. MsBuildProperties(arguments)]);

        Assert.Equal(("true", "linux-x64", "false"), (properties["PublishReadyToRun"], properties["RuntimeIdentifier"], properties["SelfContained"]));
    }

    [Fact]
    public void FinalStage_RunsThePublishedAppFromTheScriptRoot_OnTheFunctionsImage_AsNonRoot()
    {
        var stages = dockerfile.Stages;
        var last = stages.Count - 1;
        Assert.Equal(FunctionsBaseImage, stages[last].Image);
        Assert.Contains(ScriptRoot, dockerfile.Instructions.Where(i => i.Stage == last && i.Keyword == "ENV").SelectMany(i => i.Arguments)
            .Select(a => a.Split('=', 2)).Where(a => a[0] == "AzureWebJobsScriptRoot").Select(a => a[1]));

        // What the publish stage wrote is what lands in the script root.
        var copy = Assert.Single(dockerfile.Instructions, i => i.Stage == last && i.Keyword == "COPY");
        var from = copy.Arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        Assert.Equal([dockerfile.PublishOutput, ScriptRoot], from);
        Assert.Equal(ScriptRoot, dockerfile.PublishOutput);

        var user = Assert.Single(dockerfile.Instructions, i => i.Stage == last && i.Keyword == "USER").Arguments[0];
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
    }

    [Fact]
    public void Images_MatchTheSdkPinAndTheTargetFramework()
    {
        using var globalJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "global.json")));
        var pinned = globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString();

        var sdk = dockerfile.Stages[0].Image;
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{pinned}", sdk);
        // The base image's .NET is the app's target framework (net10.0).
        var framework = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"));
        Assert.Contains("<TargetFramework>net10.0</TargetFramework>", framework, StringComparison.Ordinal);
        Assert.EndsWith("dotnet-isolated10.0", dockerfile.Stages[^1].Image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerIgnore_LeavesOutLocalSecretsAndOutputs_ButNoTrackedSourceOfTheApp()
    {
        foreach (var path in new[] { "local.settings.json", "FunctionsApp/bin/Release/x.dll", "FunctionsApp/obj/project.assets.json", "node_modules/azurite", ".azurite/queue", "results/run.json", ".git/config" })
        {
            Assert.True(dockerfile.IsIgnored(path), $"{path} would be sent to the image build.");
        }

        var tracked = await TrackedFilesAsync("FunctionsApp");
        Assert.NotEmpty(tracked);
        var lost = tracked.Where(dockerfile.IsIgnored).ToList();
        Assert.True(lost.Count == 0, $".dockerignore leaves out files the app is built from: {string.Join(", ", lost)}");
    }

    [Fact]
    public void RepositoryDockerfile_ReadsContinuedLinesAndIgnorePatterns()
    {
        // The parser itself: the ENV of the last stage spans lines, and a pattern for any depth matches at the root too.
        var env = dockerfile.Instructions.Last(i => i.Keyword == "ENV");
        Assert.True(env.Arguments.Count >= 2, "continued ENV lines were not joined");
        Assert.True(dockerfile.IsIgnored("obj/x"));
        Assert.False(dockerfile.IsIgnored("FunctionsApp/Program.cs"));
    }

    /// <summary>The sources of a COPY: every argument but the flags and the last (the destination).</summary>
    private static IEnumerable<string> Sources(RepositoryDockerfile.Instruction copy)
    {
        var paths = copy.Arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        return paths.Take(paths.Count - 1);
    }

    /// <summary><c>-c X</c> and <c>-p:N=V</c> as MSBuild properties; the output folder is not one.</summary>
    private static IEnumerable<string> MsBuildProperties(IReadOnlyList<string> arguments)
    {
        for (var i = 1; i < arguments.Count; i++)
        {
            if (arguments[i] is "-c" or "--configuration")
            {
                yield return $"-p:Configuration={arguments[++i]}";
            }
            else if (arguments[i] is "-r" or "--runtime")
            {
                yield return $"-p:RuntimeIdentifier={arguments[++i]}";
            }
            else if (arguments[i].StartsWith("-p:", StringComparison.Ordinal))
            {
                yield return arguments[i];
            }
            else if (arguments[i] is "-o" or "--output")
            {
                i++;
            }
            else
            {
                Assert.Fail($"The Dockerfile's publish has an option this test does not know: {arguments[i]}");
            }
        }
    }

    private static async Task<List<string>> TrackedFilesAsync(string folder)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var argument in new[] { "ls-files", "--", folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git ls-files failed ({git.ExitCode})");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
