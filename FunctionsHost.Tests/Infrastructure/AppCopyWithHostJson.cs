namespace FunctionsHost.Tests.Infrastructure;

/// <summary>
/// A copy of an app's build output with a host.json of the test's own (a short functionTimeout,
/// say), since the host reads its settings from the app folder as the Functions host does.
/// Disposing it deletes the copy.
/// </summary>
public sealed class AppCopyWithHostJson : IDisposable
{
    private AppCopyWithHostJson(string directory) => Directory = directory;

    /// <summary>The copy's folder, to give the host as the app directory.</summary>
    public string Directory { get; }

    public static AppCopyWithHostJson Create(string appDirectory, string hostJson)
    {
        var copy = System.IO.Directory.CreateTempSubdirectory("app-copy-").FullName;
        try
        {
            foreach (var source in System.IO.Directory.EnumerateFiles(appDirectory, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(appDirectory, source));
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }

            File.WriteAllText(Path.Combine(copy, "host.json"), hostJson);
            return new AppCopyWithHostJson(copy);
        }
        catch
        {
            System.IO.Directory.Delete(copy, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker that was just killed may still hold a file on Windows; the copy then stays in the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
