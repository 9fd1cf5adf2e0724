using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// Collects the figures of this test run and rewrites results/benchmark.md and
/// results/benchmark.json after every scenario, so a run that stops half way still leaves what it
/// measured.
/// </summary>
public static class BenchmarkReport
{
    private static readonly Lock Gate = new();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly List<BenchmarkRow> Rows = [];
    private static readonly List<TargetCheck> Targets = [];
    private static readonly List<string> Notes = [];
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static string Directory => Path.Combine(RepositoryPaths.Root, "results");

    public static string MarkdownPath => Path.Combine(Directory, "benchmark.md");

    public static string JsonPath => Path.Combine(Directory, "benchmark.json");

    /// <summary>Notes when a scenario started and how loaded the machine was then.</summary>
    public static void Begin(string scenario) =>
        Note(Invariant($"{scenario}: started {DateTimeOffset.UtcNow:HH:mm:ss} UTC, load average {LoadAverage()}"));

    public static void Add(BenchmarkRow row)
    {
        lock (Gate)
        {
            Rows.Add(row);
        }
    }

    public static void Add(TargetCheck target)
    {
        lock (Gate)
        {
            Targets.Add(target);
        }
    }

    public static void Note(string note)
    {
        lock (Gate)
        {
            Notes.Add(note);
        }
    }

    /// <summary>Writes both files and returns the markdown.</summary>
    public static string Save()
    {
        lock (Gate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var markdown = Markdown();
            File.WriteAllText(MarkdownPath, markdown);
            File.WriteAllText(JsonPath, Json());
            return markdown;
        }
    }

    /// <summary>The machine and its load, which every figure depends on.</summary>
    public static string Machine() => Invariant(
        $"{Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; load average when written {LoadAverage()}");

    public static string Invariant(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToString(CultureInfo.InvariantCulture);
    }

    public static string Number(double value) =>
        Math.Abs(value) switch
        {
            >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
            >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
            >= 0.1 => value.ToString("F2", CultureInfo.InvariantCulture),
            _ => value.ToString("G3", CultureInfo.InvariantCulture),
        };

    private static string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Benchmark results ({StartedAt:yyyy-MM-dd HH:mm} UTC)"));
        text.AppendLine();
        text.AppendLine(Invariant($"Machine: {Machine()}. Release build, JIT unless a row says otherwise."));
        text.AppendLine();
        // The template is what a user would write instead (func new); the limit, or the layer
        // below, is the other baseline.
        text.AppendLine("| scenario | metric | app | template | app/template | limit (or layer below) | limit value | app/limit | conditions |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Rows)
        {
            var template = row.Template is { } t ? Number(t) + " " + row.Unit : "-";
            var baseline = row.Baseline is { } b ? Number(b) + " " + row.Unit : "-";
            text.AppendLine(Invariant(
                $"| {row.Scenario} | {row.Metric} | {Number(row.App)} {row.Unit} | {template} | {Times(row.TemplateRatio)} | {row.BaselineName ?? "-"} | {baseline} | {Times(row.Ratio)} | {row.Conditions} |"));
        }

        if (Targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| target | met | numbers |");
            text.AppendLine("|---|---|---|");
            foreach (var target in Targets)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {target.Target} | {(target.Met ? "met" : "missed")} | {target.Evidence} |");
            }
        }

        if (Notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in Notes)
            {
                text.AppendLine("- " + note);
            }
        }

        return text.ToString();
    }

    private static string Times(double? ratio) => ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Json() => JsonSerializer.Serialize(
        new
        {
            started_at = StartedAt,
            machine = Machine(),
            quick = BenchmarkSettings.Quick,
            rows = Rows.Select(r => new
            {
                scenario = r.Scenario,
                metric = r.Metric,
                unit = r.Unit,
                app = r.App,
                template = r.Template,
                template_ratio = r.TemplateRatio,
                baseline_name = r.BaselineName,
                baseline = r.Baseline,
                ratio = r.Ratio,
                conditions = r.Conditions,
            }),
            targets = Targets.Select(t => new { target = t.Target, met = t.Met, evidence = t.Evidence }),
            notes = Notes,
        },
        Indented);

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
