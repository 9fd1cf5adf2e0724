using System.Text.RegularExpressions;

namespace FunctionsApp.Tests.Unit.Docs;

/// <summary>
/// The README is a short page that sends readers to docs/ for the rest: every relative link in the
/// README, docs/ and the host's README must reach a file that exists, and a heading in it.
/// </summary>
public sealed partial class DocsLinksTests
{
    public static TheoryData<string> Pages => new(
        new[] { "README.md", Path.Combine("FunctionsHost", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Select(p => Path.GetRelativePath(RepositoryPaths.Root, p)))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Pages))]
    public void RelativeLinks_ReachAFileAndAHeading(string page)
    {
        var path = Path.Combine(RepositoryPaths.Root, page);
        var broken = new List<string>();
        foreach (Match link in Links().Matches(File.ReadAllText(path)))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (hash >= 0 && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(resolved).Contains(target[(hash + 1)..]))
            {
                broken.Add($"{target}: no such heading");
            }
        }

        Assert.True(broken.Count == 0, $"{page}: {string.Join("; ", broken)}");
    }

    [Fact]
    public void Readme_PutsRunTryAndDeployInTheFirst120Lines()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "README.md"));
        foreach (var heading in new[] { "## Run it locally", "## Try it", "## Deploy to Azure" })
        {
            var at = Array.IndexOf(lines, heading);
            Assert.InRange(at, 0, 119);
        }
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string path)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }
            else if (!fenced && Heading().Match(line) is { Success: true } heading)
            {
                anchors.Add(NotInAnchor().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'));
            }
        }

        return anchors;
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Links();

    [GeneratedRegex(@"^#{1,6} (.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex NotInAnchor();
}
