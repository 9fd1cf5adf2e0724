using System.Text.Json;
using System.Xml.Linq;

namespace FunctionsApp.Tests.Unit;

/// <summary>
/// Where packages come from and what pins them (README "Updating a package"): one NuGet source for
/// every package, and a lock file for every project that matches its references. CI's locked
/// restore fails on a lock that no longer matches or was never committed (Directory.Build.targets);
/// these tests catch, without a restore and for the projects CI does not restore too, a project
/// that has no lock file or has lost the setting, and a lock left behind by a version change.
/// </summary>
public sealed class SupplyChainTests
{
    private const string NuGetOrg = "https://api.nuget.org/v3/index.json";

    // Generated projects (the Worker SDK's WorkerExtensions.csproj in obj/) and installed tools are not ours.
    private static readonly HashSet<string> NotSourceFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "bin", "obj", "node_modules", ".git", "TestResults", "results", ".azurite", ".azure",
    };

    [Fact]
    public void EveryProject_HasALockFileBesideIt()
    {
        var missing = Projects()
            .Where(project => !File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json")))
            .Select(Relative)
            .ToList();

        Assert.True(missing.Count == 0,
            $"Projects without a packages.lock.json beside them: {string.Join(", ", missing)}. " +
            "Run `scripts/update-lock-files.sh` and commit what it writes (README \"Updating a package\").");
    }

    [Fact]
    public void Projects_AreFoundWhereverTheyAre_IncludingThoseTheTestsAndBenchmarkBuildThemselves()
    {
        // The other tests here are only as good as this list: it must hold the solution's projects
        // and the benchmark's baselines, which are not in the solution.
        var found = Projects().Select(Relative).ToHashSet(StringComparer.Ordinal);
        var expected = SolutionProjects()
            .Concat(Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "FunctionsApp.Benchmarks", "Baselines"))
                .Select(dir => Relative(Path.Combine(dir, Path.GetFileName(dir) + ".csproj"))))
            .ToList();

        Assert.Contains("FunctionsHost.Tests/HostApps/BuiltInHttp/BuiltInHttp.csproj", expected);
        Assert.Contains("FunctionsApp.Benchmarks/Baselines/TemplateApp/TemplateApp.csproj", expected);
        Assert.All(expected, project => Assert.Contains(project, found));
    }

    [Fact]
    public void EveryFunctionApp_HasALockFileForItsWorkerExtensionsProject()
    {
        // The Worker SDK restores a generated project whose WebJobs packages ship in .azurefunctions/;
        // Directory.Build.targets gives it this lock file.
        var functionApps = Projects().Where(p => Property(XDocument.Load(p), "AzureFunctionsVersion") is not null).ToList();
        var missing = functionApps
            .Where(project => !File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "packages.worker-extensions.lock.json")))
            .Select(Relative)
            .ToList();

        Assert.Contains("FunctionsApp/FunctionsApp.csproj", functionApps.Select(Relative));
        Assert.True(missing.Count == 0,
            $"Function apps without packages.worker-extensions.lock.json: {string.Join(", ", missing)}. " +
            "Run `scripts/update-lock-files.sh` and commit what it writes.");
    }

    [Fact]
    public void LockFiles_RecordTheVersionsOfDirectoryPackagesProps_ForEveryPackageTheProjectReferences()
    {
        var versions = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var stale = new List<string>();

        foreach (var project in Projects())
        {
            var lockPath = Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json");
            if (!File.Exists(lockPath))
            {
                continue; // EveryProject_HasALockFileBesideIt names it.
            }

            var references = XDocument.Load(project).Descendants("PackageReference")
                .Select(r => (string)r.Attribute("Include")!)
                .ToList();
            using var lockFile = JsonDocument.Parse(File.ReadAllText(lockPath));
            // One entry per target ("net10.0", "net10.0/linux-x64"); direct references are in the first.
            var direct = lockFile.RootElement.GetProperty("dependencies").EnumerateObject().First().Value
                .EnumerateObject()
                .Where(package => package.Value.GetProperty("type").GetString() == "Direct")
                .ToDictionary(package => package.Name, package => package.Value.GetProperty("requested").GetString(), StringComparer.OrdinalIgnoreCase);

            foreach (var package in references)
            {
                var wanted = $"[{versions[package]}, )";
                if (!direct.TryGetValue(package, out var requested) || requested != wanted)
                {
                    stale.Add($"{Relative(project)}: {package} {wanted} in Directory.Packages.props, {requested ?? "nothing"} in its lock file");
                }
            }

            stale.AddRange(direct.Keys.Except(references, StringComparer.OrdinalIgnoreCase)
                .Select(package => $"{Relative(project)}: {package} is in its lock file but no longer referenced"));
        }

        Assert.True(stale.Count == 0,
            "Lock files that do not match the projects (CI's locked restore would fail with NU1004):\n" +
            string.Join("\n", stale) + "\nRun `scripts/update-lock-files.sh` and commit what it writes.");
    }

    [Theory]
    [InlineData("FunctionsApp/FunctionsApp.csproj")]
    [InlineData("FunctionsApp.Benchmarks/Baselines/TemplateApp/TemplateApp.csproj")]
    [InlineData("FunctionsApp.Benchmarks/Baselines/BareBuilder/BareBuilder.csproj")]
    public void ReadyToRunPublishedProjects_LockLinuxX64Too(string project)
    {
        // `dotnet publish -r linux-x64` restores for that RID; a lock file without it fails a
        // locked restore (NU1004, "the project's runtime identifiers have changed").
        var path = Path.Combine(RepositoryPaths.Root, project);
        using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "packages.lock.json")));

        Assert.Equal("linux-x64", Property(XDocument.Load(path), "RuntimeIdentifiers"));
        Assert.True(lockFile.RootElement.GetProperty("dependencies").TryGetProperty("net10.0/linux-x64", out _),
            $"{project}'s packages.lock.json has no net10.0/linux-x64 target; run scripts/update-lock-files.sh.");
    }

    [Fact]
    public void LockFileSettings_AreSetOnceForEveryProject_AndLockedOnCI()
    {
        var props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"));
        var withLockFile = props.Descendants("RestorePackagesWithLockFile").Single();
        var lockedMode = props.Descendants("RestoreLockedMode").Single();

        Assert.Equal("true", withLockFile.Value);
        Assert.Null(withLockFile.Attribute("Condition"));
        Assert.Equal("true", lockedMode.Value);
        Assert.Equal("'$(CI)' == 'true'", (string?)lockedMode.Attribute("Condition"));

        // No project, and no other props or targets file, may turn either off or import around them.
        var overrides = Directory.EnumerateFiles(RepositoryPaths.Root, "*.*", SearchOption.AllDirectories)
            .Where(f => !InNotSourceFolder(f))
            .Where(f => f.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".props", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".targets", StringComparison.OrdinalIgnoreCase))
            .Where(f => Path.GetFullPath(f) != Path.Combine(RepositoryPaths.Root, "Directory.Build.props"))
            .Where(f => XDocument.Load(f).Descendants().Any(e =>
                e.Name.LocalName is "RestorePackagesWithLockFile" or "RestoreLockedMode" or "ImportDirectoryBuildProps"
                || (e.Name.LocalName == "Import" && ((string?)e.Attribute("Project"))?.Contains("Directory.Build.props", StringComparison.Ordinal) == true)))
            .Select(Relative)
            .ToList();
        var nestedBuildProps = Projects()
            .SelectMany(p => AncestorsUpToRoot(Path.GetDirectoryName(p)!))
            .Where(dir => dir != RepositoryPaths.Root && File.Exists(Path.Combine(dir, "Directory.Build.props")))
            .Distinct()
            .Select(dir => Relative(Path.Combine(dir, "Directory.Build.props")));

        var offending = overrides.Concat(nestedBuildProps).ToList();
        Assert.True(offending.Count == 0,
            "These files set the lock file settings, or change which Directory.Build.props a project imports, " +
            $"so a project could restore without a lock file: {string.Join(", ", offending)}");
    }

    [Fact]
    public void NuGetConfig_ClearsInheritedSources_AndMapsEveryPackageToNuGetOrg()
    {
        var config = XDocument.Load(Path.Combine(RepositoryPaths.Root, "nuget.config")).Root!;
        var sources = config.Element("packageSources")!.Elements().ToList();
        var mapping = config.Element("packageSourceMapping")?.Elements("packageSource").ToList() ?? [];

        // <clear /> first, so no machine-wide or user source is added before or after ours.
        Assert.True(sources[0].Name.LocalName == "clear", "nuget.config's <packageSources> must start with <clear />.");
        var source = Assert.Single(sources.Skip(1));
        Assert.Equal("add", source.Name.LocalName);
        Assert.Equal(NuGetOrg, (string?)source.Attribute("value"));
        var mapped = Assert.Single(mapping);
        Assert.Equal((string?)source.Attribute("key"), (string?)mapped.Attribute("key"));
        Assert.Equal("*", (string?)Assert.Single(mapped.Elements("package")).Attribute("pattern"));

        // A nuget.config deeper in the tree would add its sources for the projects under it.
        var others = Directory.EnumerateFiles(RepositoryPaths.Root, "*", SearchOption.AllDirectories)
            .Where(f => !InNotSourceFolder(f) && Path.GetFileName(f).Equals("nuget.config", StringComparison.OrdinalIgnoreCase))
            .Select(Relative)
            .Where(f => f != "nuget.config");
        Assert.Empty(others);
    }

    private static IEnumerable<string> Projects() =>
        Directory.EnumerateFiles(RepositoryPaths.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(f => !InNotSourceFolder(f))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> SolutionProjects() =>
        File.ReadLines(Path.Combine(RepositoryPaths.Root, "FunctionsApp.sln"))
            .Where(line => line.StartsWith("Project(", StringComparison.Ordinal))
            .Select(line => line.Split(',')[1].Trim().Trim('"').Replace('\\', '/'))
            .Where(path => path.EndsWith(".csproj", StringComparison.Ordinal));

    private static bool InNotSourceFolder(string file) =>
        Path.GetRelativePath(RepositoryPaths.Root, file).Split(Path.DirectorySeparatorChar)[..^1].Any(NotSourceFolders.Contains);

    private static IEnumerable<string> AncestorsUpToRoot(string dir)
    {
        for (var current = dir; current.StartsWith(RepositoryPaths.Root, StringComparison.Ordinal); current = Path.GetDirectoryName(current)!)
        {
            yield return current;
        }
    }

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).Select(e => e.Value).FirstOrDefault();

    private static string Relative(string path) =>
        Path.GetRelativePath(RepositoryPaths.Root, path).Replace(Path.DirectorySeparatorChar, '/');
}
