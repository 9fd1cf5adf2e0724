namespace FunctionsApp.Tests.Infrastructure.FunctionsHost;

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

    private static string Find()
    {
        // The tests run from FunctionsApp.Tests/bin/<configuration>/<tfm>/: the same two names
        // locate the app's output, which the ProjectReference has just built.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent?.Name
            ?? throw new InvalidOperationException($"Cannot tell the build configuration from {testOutput.FullName}.");
        var directory = Path.Combine(RepositoryPaths.Root, "FunctionsApp", "bin", configuration, framework);
        foreach (var file in new[] { "FunctionsApp.dll", "functions.metadata", "worker.config.json", "host.json" })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new InvalidOperationException(
                    $"The FunctionsApp build output {directory} has no {file}. Build it first: " +
                    $"`dotnet build FunctionsApp.sln -c {configuration}` (the Worker SDK writes functions.metadata and worker.config.json).");
            }
        }

        return directory;
    }
}
