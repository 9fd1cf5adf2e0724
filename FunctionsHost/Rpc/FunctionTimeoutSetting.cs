using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FunctionsHost.Rpc;

/// <summary>
/// host.json's <c>functionTimeout</c>, read with the Functions host's rules for the plans that allow
/// an unbounded timeout (Flex Consumption, Premium, Dedicated, and a local run): a TimeSpan in
/// invariant format, 30 minutes when absent, <c>-1</c> for no limit, at least one second.
/// </summary>
public static class FunctionTimeoutSetting
{
    /// <summary>The host.json key.</summary>
    public const string Key = "functionTimeout";

    /// <summary>The Functions host's default when host.json sets none (on the legacy Consumption plan it would be 5 minutes).</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(30);

    /// <summary>The shortest timeout the Functions host accepts.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);

    // TimeSpan.Parse("-1") is minus one day: the value the Functions host reads as "no limit".
    private static readonly TimeSpan Unbounded = TimeSpan.FromDays(-1);

    /// <summary>Reads the app's host.json; <see cref="Timeout.InfiniteTimeSpan"/> means no limit.</summary>
    public static TimeSpan Read(string hostJsonPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostJsonPath);
        IConfiguration hostJson;
        try
        {
            hostJson = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(hostJsonPath), optional: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            throw new InvalidOperationException($"{hostJsonPath} could not be read as JSON: {ex.Message}", ex);
        }

        return Parse(hostJson[Key], hostJsonPath);
    }

    /// <summary>
    /// The timeout a host.json value stands for (null or empty: the default); throws
    /// <see cref="InvalidOperationException"/> naming <paramref name="source"/> for a value the Functions host refuses.
    /// </summary>
    public static TimeSpan Parse(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        // The Functions host binds the value to a TimeSpan with the invariant culture: "00:05:00",
        // "1.00:00:00" and also "5" (five days, not minutes) are all valid forms.
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout))
        {
            throw new InvalidOperationException(
                $"{source}: {Key} \"{value}\" is not a time span; write it as hh:mm:ss (e.g. \"00:05:00\"), or -1 for no limit.");
        }

        if (timeout == Unbounded)
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (timeout < Minimum)
        {
            throw new InvalidOperationException(
                $"{source}: {Key} \"{value}\" is below the Functions host's minimum of {Minimum}; use -1 for no limit.");
        }

        return timeout;
    }

    /// <summary>How a timeout reads in log lines: its value, or "no limit".</summary>
    public static string Describe(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? "no limit" : timeout.ToString("c", CultureInfo.InvariantCulture);
}
