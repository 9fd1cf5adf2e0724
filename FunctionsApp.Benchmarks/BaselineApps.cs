using System.Collections.Concurrent;
using System.Diagnostics;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// Builds the baseline mini-apps under FunctionsApp.Benchmarks/Baselines/ on first use, and ReadyToRun
/// publishes of them and of FunctionsApp. They are not in FunctionsApp.sln, so the normal build
/// and test run never pay for them.
/// </summary>
public static class BaselineApps
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Built = new();
    private static readonly SemaphoreSlim OneAtATime = new(1);

    /// <summary>The path of the built <c>&lt;name&gt;.dll</c>, building it first if needed.</summary>
    public static Task<string> DllAsync(string name) =>
        Built.GetOrAdd(name, n => new Lazy<Task<string>>(() => BuildAsync(n))).Value;

    /// <summary>The build output folder of a baseline worker app (such as TemplateApp), building it first if needed.</summary>
    public static async Task<string> DirectoryAsync(string name) => Path.GetDirectoryName(await DllAsync(name))!;

    /// <summary>
    /// The folder of a ReadyToRun publish (linux-x64, framework-dependent) of a baseline or, for
    /// <c>FunctionsApp</c>, of the app itself, publishing it first if needed.
    /// </summary>
    public static Task<string> ReadyToRunDirectoryAsync(string name) =>
        Built.GetOrAdd("r2r:" + name, n => new Lazy<Task<string>>(() => PublishReadyToRunAsync(name))).Value;

    private static string Configuration => new DirectoryInfo(FunctionsAppOutput.Directory).Parent!.Name;

    private static string ProjectPath(string name) => name == "FunctionsApp"
        ? Path.Combine(RepositoryPaths.Root, "FunctionsApp", "FunctionsApp.csproj")
        : Path.Combine(RepositoryPaths.Root, "FunctionsApp.Benchmarks", "Baselines", name, name + ".csproj");

    private static async Task<string> BuildAsync(string name)
    {
        var project = ProjectPath(name);
        // Same configuration as the app under test. Project references are not rebuilt: the worker
        // may be running from FunctionsApp's output while this builds, and that output is already
        // built (the tests depend on it).
        await DotnetAsync("build", project, "-c", Configuration, "-p:BuildProjectReferences=false");
        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The baseline {name} built, but {dll} is missing.");
    }

    private static async Task<string> PublishReadyToRunAsync(string name)
    {
        // A RID-specific build goes to bin/<configuration>/net10.0/linux-x64/, apart from the
        // output the other benchmarks and tests run.
        var output = Path.Combine(AppContext.BaseDirectory, "benchmark-ready-to-run", name);
        await DotnetAsync("publish", ProjectPath(name), "-c", Configuration, "-r", "linux-x64", "--self-contained", "false",
            "-p:PublishReadyToRun=true", "-o", output);
        return output;
    }

    private static async Task DotnetAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args.Concat(["-nologo", "-v:q"]))
        {
            start.ArgumentList.Add(arg);
        }

        // Two builds of projects that share FunctionsApp's obj/ must not run at once.
        await OneAtATime.WaitAsync();
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"`dotnet {string.Join(' ', args)}` failed (exit {process.ExitCode}); run it to see why:\n{await stdout}\n{await stderr}");
            }
        }
        finally
        {
            OneAtATime.Release();
        }
    }
}
