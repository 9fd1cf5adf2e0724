using System.Reflection;
using System.Runtime.Versioning;

namespace FunctionsApp.Testing;

/// <summary>Finds the compiled FunctionsApp that the end-to-end tests launch as a worker.</summary>
public static class FunctionsAppOutput
{
    private static readonly Lazy<string> LazyDirectory = new(Find);

    /// <summary>
    /// FunctionsApp/bin/&lt;configuration&gt;/&lt;tfm&gt;/ for the configuration and target framework
    /// the tests were built with, so Release tests never run a stale Debug app.
    /// </summary>
    public static string Directory => LazyDirectory.Value;

    public static string AssemblyPath => Path.Combine(Directory, "FunctionsApp.dll");

    public static string HostJsonPath => Path.Combine(Directory, "host.json");

    /// <summary>
    /// The build output of another worker app of the solution (the host's test apps), for the same
    /// configuration and framework as the tests.
    /// </summary>
    public static string Of(string projectFolder, string assemblyName) => Find(projectFolder, assemblyName);

    private static string Find() => Find("FunctionsApp", "FunctionsApp");

    private static string Find(string projectFolder, string assemblyName)
    {
        // This library was built with the same configuration and target framework as the apps
        // (the solution builds them all), so those two names locate an app's output.
        var assembly = typeof(FunctionsAppOutput).Assembly;
        var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? throw new InvalidOperationException("The testing library does not say which configuration built it.");
        var framework = new FrameworkName(assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName
            ?? throw new InvalidOperationException("The testing library does not say which framework it targets."));
        var moniker = $"net{framework.Version.Major}.{framework.Version.Minor}";
        var directory = Path.Combine(RepositoryPaths.Root, projectFolder, "bin", configuration, moniker);
        foreach (var file in new[] { assemblyName + ".dll", "functions.metadata", "worker.config.json", "host.json" })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new InvalidOperationException(
                    $"The build output {directory} has no {file}. Build it first: " +
                    $"`dotnet build FunctionsApp.sln -c {configuration}` (the Worker SDK writes functions.metadata and worker.config.json).");
            }
        }

        return directory;
    }
}
