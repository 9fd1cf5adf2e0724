namespace FunctionsApp.Testing;

/// <summary>Finds files of the repository from wherever the tests run.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that holds FunctionsApp.sln.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FunctionsApp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No FunctionsApp.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
