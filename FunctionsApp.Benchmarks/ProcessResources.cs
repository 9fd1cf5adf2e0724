using System.Globalization;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// CPU time and memory of a process as Linux accounts them (/proc/&lt;pid&gt;/stat and status),
/// for the cost of the worker per 1,000 invocations.
/// </summary>
public sealed record ProcessResources(TimeSpan CpuTime, long PeakResidentBytes, long ResidentBytes)
{
    // USER_HZ, the unit of utime and stime; 100 on every Linux the .NET runtime supports.
    private const double TicksPerSecond = 100;

    public static ProcessResources Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain spaces; the fields after its ')' are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return new ProcessResources(TimeSpan.FromSeconds(ticks / TicksPerSecond), Kilobytes(status, "VmHWM:") * 1024, Kilobytes(status, "VmRSS:") * 1024);
    }

    private static long Kilobytes(string[] status, string field)
    {
        var line = status.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/proc status has no {field}");
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
