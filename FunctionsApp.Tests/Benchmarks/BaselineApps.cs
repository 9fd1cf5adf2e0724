using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionsApp.Tests.Infrastructure;
using FunctionsApp.Tests.Infrastructure.FunctionsHost;

namespace FunctionsApp.Tests.Benchmarks;

/// <summary>
/// Builds the baseline mini-apps under Benchmarks/Baselines/ on first use. They are not in
/// FunctionsApp.sln, so the normal build and test run never pay for them.
/// </summary>
public static class BaselineApps
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Built = new();

    /// <summary>The path of the built <c>&lt;name&gt;.dll</c>, building it first if needed.</summary>
    public static Task<string> DllAsync(string name) =>
        Built.GetOrAdd(name, n => new Lazy<Task<string>>(() => BuildAsync(n))).Value;

    private static async Task<string> BuildAsync(string name)
    {
        var project = Path.Combine(RepositoryPaths.Root, "FunctionsApp.Tests", "Benchmarks", "Baselines", name, name + ".csproj");
        // Same configuration as the app under test. Project references are not rebuilt: the worker
        // may be running from FunctionsApp's output while this builds, and that output is already
        // built (the tests depend on it).
        var configuration = new DirectoryInfo(FunctionsAppOutput.Directory).Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "build", project, "-c", configuration, "-p:BuildProjectReferences=false", "-nologo", "-v:q" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Building the baseline {name} failed (exit {process.ExitCode}); run `dotnet build {project} -c {configuration}` to see why:\n{await stdout}\n{await stderr}");
        }

        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The baseline {name} built, but {dll} is missing.");
    }
}
