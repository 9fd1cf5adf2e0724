using System.Collections.Concurrent;

namespace FunctionsApp.DeadLetters;

/// <summary>The console's static files, embedded in the app's assembly (see FunctionsApp.csproj).</summary>
public static class ConsoleFiles
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>The bytes of one embedded file of <c>DeadLetters/Console/</c>.</summary>
    public static byte[] Read(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(ConsoleFiles).Assembly.GetManifestResourceStream("DeadLetterConsole/" + n)
            ?? throw new InvalidOperationException($"The console file {n} is not embedded in the app.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });
}
