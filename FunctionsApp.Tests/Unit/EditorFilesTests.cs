using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsHost.LocalRun;

namespace FunctionsApp.Tests.Unit;

/// <summary>
/// The editor files a newcomer presses F5 with (.vscode/, FunctionsApp/Properties/launchSettings.json):
/// they parse, and every task, project, program and folder they name exists, so a rename or a new
/// target framework cannot leave F5 pointing at nothing.
/// </summary>
public sealed partial class EditorFilesTests
{
    private const string WorkspaceFolder = "${workspaceFolder}";

    // launch.json, tasks.json and settings.json are JSON with comments, as VS Code reads them.
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    [Theory]
    [InlineData(".vscode/launch.json")]
    [InlineData(".vscode/tasks.json")]
    [InlineData(".vscode/settings.json")]
    [InlineData(".vscode/extensions.json")]
    [InlineData("FunctionsApp/Properties/launchSettings.json")]
    public void EditorFile_Parses_AsAnObject(string path)
    {
        using var document = Read(path);

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public void Tasks_EveryDependsOnAndPreLaunchTask_NamesOneTask()
    {
        var labels = TaskLabels();
        Assert.Equal(labels.Count, labels.Distinct(StringComparer.Ordinal).Count());
        using var tasks = Read(".vscode/tasks.json");
        using var launch = Read(".vscode/launch.json");
        using var settings = Read(".vscode/settings.json");

        var named = Tasks(tasks).SelectMany(task => Strings(task, "dependsOn"))
            .Concat(Configurations(launch).SelectMany(configuration => Strings(configuration, "preLaunchTask")))
            .Concat(Strings(settings.RootElement, "azureFunctions.preDeployTask"))
            .ToList();

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(labels.Contains(name), $"'{name}' is no task label in .vscode/tasks.json; labels: {string.Join(", ", labels)}"));
        Assert.Contains("func: host start", labels);
        Assert.Contains(Tasks(tasks), task => Text(task, "label") == "func: host start" && Strings(task, "dependsOn").Contains("build (functions)"));
    }

    [Fact]
    public void LaunchAndTasks_EveryFolderProgramAndScript_Exists()
    {
        using var tasks = Read(".vscode/tasks.json");
        using var launch = Read(".vscode/launch.json");
        var checkedPaths = 0;

        foreach (var task in Tasks(tasks))
        {
            var cwd = task.TryGetProperty("options", out var options) ? Text(options, "cwd") : null;
            foreach (var value in Strings(task, "args").Append(cwd).OfType<string>().Where(v => v.Contains(WorkspaceFolder, StringComparison.Ordinal)))
            {
                AssertPathExists(value, $"task '{Text(task, "label")}'");
                checkedPaths++;
            }

            if (Text(task, "command") == "dotnet" && cwd is not null)
            {
                // `dotnet build` in a folder needs exactly one project there.
                var folder = Resolve(cwd);
                Assert.True(Directory.GetFiles(folder, "*.csproj").Length == 1, $"task '{Text(task, "label")}' runs dotnet in {folder}, which must hold exactly one .csproj");
            }

            if (Text(task, "command") == "bash")
            {
                var script = Path.Combine(Resolve(cwd ?? WorkspaceFolder), Strings(task, "args").First());
                Assert.True(File.Exists(script), $"task '{Text(task, "label")}' runs {script}, which does not exist");
                checkedPaths++;
            }
        }

        foreach (var configuration in Configurations(launch))
        {
            foreach (var value in Strings(configuration, "program").Concat(Strings(configuration, "cwd")).Concat(Strings(configuration, "args")))
            {
                AssertPathExists(value, $"launch configuration '{Text(configuration, "name")}'");
                checkedPaths++;
            }
        }

        Assert.True(checkedPaths >= 8, $"Expected the launch and task files to name at least 8 paths; checked {checkedPaths}.");
    }

    [Fact]
    public void LaunchConfiguration_FunctionsHostStartedInTheProjectFolder_ReadsTheRootLocalSettings()
    {
        // The file the user edits is the repository root's; our host looks it up from where it
        // starts, as Core Tools does, and must land there, not on the build's copy in bin/.
        using var launch = Read(".vscode/launch.json");
        var run = Configurations(launch).Single(c => Text(c, "request") == "launch" && (Text(c, "program") ?? "").EndsWith("FunctionsHost.dll", StringComparison.Ordinal));

        var settingsFile = LocalSettings.Locate(Resolve(Text(run, "cwd")!), Resolve(Strings(run, "args").First()));

        Assert.Equal(Path.Combine(RepositoryPaths.Root, "local.settings.json"), settingsFile);
    }

    [Fact]
    public void Settings_NameTheProjectItsRuntimeAndWhereItPublishes()
    {
        using var settings = Read(".vscode/settings.json");
        var root = settings.RootElement;
        var project = Text(root, "azureFunctions.projectSubpath")!;
        var projectFile = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, project), "*.csproj").Single();

        Assert.Equal("C#", Text(root, "azureFunctions.projectLanguage"));
        Assert.Equal("~4", Text(root, "azureFunctions.projectRuntime"));
        Assert.Contains("<AzureFunctionsVersion>v4</AzureFunctionsVersion>", File.ReadAllText(projectFile), StringComparison.Ordinal);
        Assert.Equal($"{project}/bin/Release/{TargetFramework()}/publish", Text(root, "azureFunctions.deploySubpath"));
    }

    [Fact]
    public void Extensions_RecommendFunctionsAndCSharp()
    {
        using var extensions = Read(".vscode/extensions.json");

        var recommended = Strings(extensions.RootElement, "recommendations").ToList();

        Assert.Contains("ms-azuretools.vscode-azurefunctions", recommended);
        Assert.Contains("ms-dotnettools.csharp", recommended);
    }

    [Fact]
    public void LaunchSettings_ProfilesRunTheProjectOrTheFunctionsHostProject()
    {
        var projectDirectory = Path.Combine(RepositoryPaths.Root, "FunctionsApp");
        using var launchSettings = Read("FunctionsApp/Properties/launchSettings.json");
        var profiles = launchSettings.RootElement.GetProperty("profiles").EnumerateObject().ToList();

        var project = Assert.Single(profiles, p => Text(p.Value, "commandName") == "Project").Value;
        Assert.Equal("--port 7071", Text(project, "commandLineArgs"));
        Assert.Single(Directory.GetFiles(projectDirectory, "*.csproj"));

        var host = Assert.Single(profiles, p => Text(p.Value, "commandName") == "Executable").Value;
        Assert.Matches("^dotnet(\\.exe)?$", Text(host, "executablePath"));
        Assert.Equal("$(ProjectDir)", Text(host, "workingDirectory"));
        var arguments = Text(host, "commandLineArgs")!;
        var hostProject = ProjectArgument().Match(arguments);
        Assert.True(hostProject.Success, $"Expected `run --project \"...\"` in {arguments}");
        var hostProjectPath = Path.GetFullPath(hostProject.Groups[1].Value.Replace("$(ProjectDir)", projectDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal).Replace('\\', '/'));
        Assert.True(File.Exists(hostProjectPath), $"The FunctionsHost profile runs {hostProjectPath}, which does not exist");
        Assert.Contains("-- \"$(TargetDir).\"", arguments, StringComparison.Ordinal);
    }

    private static JsonDocument Read(string relativePath)
    {
        var path = Path.Combine(RepositoryPaths.Root, relativePath);
        Assert.True(File.Exists(path), $"{relativePath} is missing");
        return JsonDocument.Parse(File.ReadAllText(path), Jsonc);
    }

    private static List<string> TaskLabels()
    {
        using var tasks = Read(".vscode/tasks.json");
        return Tasks(tasks).Select(task => Text(task, "label") ?? throw new InvalidOperationException("Every task needs a label to be named by dependsOn.")).ToList();
    }

    private static IEnumerable<JsonElement> Tasks(JsonDocument tasks) => tasks.RootElement.GetProperty("tasks").EnumerateArray();

    private static IEnumerable<JsonElement> Configurations(JsonDocument launch) => launch.RootElement.GetProperty("configurations").EnumerateArray();

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A property that is one string or an array of strings (dependsOn, args).</summary>
    private static IEnumerable<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString()!).ToList()
            : [value.GetString()!];
    }

    private static string Resolve(string value) =>
        Path.GetFullPath(value.Replace(WorkspaceFolder, RepositoryPaths.Root, StringComparison.Ordinal));

    /// <summary>
    /// A path exists, or, for a build output (<c>&lt;Project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/...</c>, absent
    /// before the first build), the project that writes it exists and targets that framework.
    /// </summary>
    private static void AssertPathExists(string value, string where)
    {
        var path = Resolve(value);
        var output = BuildOutput().Match(value);
        if (output.Success)
        {
            var projectFolder = Resolve(output.Groups["project"].Value);
            var projectFile = Path.Combine(projectFolder, Path.GetFileName(projectFolder) + ".csproj");
            Assert.True(File.Exists(projectFile), $"{where} names {value}, the output of {projectFile}, which does not exist");
            Assert.True(output.Groups["tfm"].Value == TargetFramework(), $"{where} names {value}, but the projects target {TargetFramework()}");
            return;
        }

        Assert.True(File.Exists(path) || Directory.Exists(path), $"{where} names {value}, and {path} does not exist");
    }

    private static string TargetFramework()
    {
        var props = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"));
        return TargetFrameworkElement().Match(props).Groups[1].Value;
    }

    [GeneratedRegex(@"^(?<project>.+)/bin/(Debug|Release)/(?<tfm>[^/]+)(/.*)?$")]
    private static partial Regex BuildOutput();

    [GeneratedRegex(@"<TargetFramework>([^<]+)</TargetFramework>")]
    private static partial Regex TargetFrameworkElement();

    [GeneratedRegex("run --project \"([^\"]+)\"")]
    private static partial Regex ProjectArgument();
}
