using System.Text.RegularExpressions;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// The repository's <c>Dockerfile</c>, read as a builder reads it (comments dropped, continued lines
/// joined, each instruction with its stage), and its <c>.dockerignore</c>, so tests can check what
/// no container engine here can build.
/// </summary>
public sealed partial class RepositoryDockerfile
{
    private RepositoryDockerfile(IReadOnlyList<Instruction> instructions, IReadOnlyList<Regex> ignored)
    {
        Instructions = instructions;
        this.ignored = ignored;
    }

    private readonly IReadOnlyList<Regex> ignored;

    /// <summary>One instruction: its stage (0 for the first FROM), keyword in upper case, and arguments split on spaces.</summary>
    public sealed record Instruction(int Stage, string Keyword, IReadOnlyList<string> Arguments);

    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>The stages in order: image and the name given with AS (null if none).</summary>
    public IReadOnlyList<(string Image, string? Name)> Stages =>
        [.. Instructions.Where(i => i.Keyword == "FROM").Select(i => (i.Arguments[0], i.Arguments.Count >= 3 && i.Arguments[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? i.Arguments[2] : null))];

    /// <summary>The arguments of <c>dotnet publish</c> in the one RUN that publishes, after the word publish.</summary>
    public IReadOnlyList<string> PublishArguments
    {
        get
        {
            var run = Assert.Single(Instructions, i => i.Keyword == "RUN" && i.Arguments.Take(2).SequenceEqual(["dotnet", "publish"]));
            return [.. run.Arguments.Skip(2)];
        }
    }

    /// <summary>The value of <c>-o</c> in <see cref="PublishArguments"/>.</summary>
    public string PublishOutput
    {
        get
        {
            var arguments = PublishArguments;
            var index = arguments.ToList().FindIndex(a => a is "-o" or "--output");
            Assert.True(index >= 0 && index + 1 < arguments.Count, "The publish in the Dockerfile names no output folder (-o).");
            return arguments[index + 1];
        }
    }

    public static RepositoryDockerfile Load()
    {
        var instructions = new List<Instruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "Dockerfile")))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = pending + line;
            pending = "";
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var keyword = words[0].ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new Instruction(stage, keyword, words[1..]));
        }

        var patterns = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(IgnorePattern).ToList();
        return new RepositoryDockerfile(instructions, patterns);
    }

    /// <summary>True when <c>.dockerignore</c> leaves <paramref name="path"/> (relative to the root, with /) out of the build context.</summary>
    public bool IsIgnored(string path) => ignored.Any(p => p.IsMatch(path.TrimEnd('/')));

    // The forms the file uses: a name or path, '*' within a segment, a leading '**/' for any folder
    // depth, a trailing '/' for a folder. A matched folder leaves out everything under it.
    private static Regex IgnorePattern(string pattern)
    {
        var body = pattern.TrimEnd('/');
        var anyDepth = body.StartsWith("**/", StringComparison.Ordinal);
        if (anyDepth)
        {
            body = body[3..];
        }

        var regex = Regex.Escape(body).Replace(@"\*", "[^/]*", StringComparison.Ordinal);
        return new Regex($"^{(anyDepth ? "(.*/)?" : "")}{regex}(/.*)?$", RegexOptions.CultureInvariant);
    }
}
