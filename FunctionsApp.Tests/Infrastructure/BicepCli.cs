using System.Diagnostics;
using System.Reflection;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// The Bicep CLI that restore brought in with the Azure.Bicep.CommandLine.linux-x64 package (its
/// path is written into this assembly at build time), run as a child process.
/// </summary>
public static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The bicep executable, made executable if the package extraction lost the bit.</summary>
    public static string Path
    {
        get
        {
            var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "BicepPath")?.Value;
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"The Bicep CLI is not at '{path}'. It comes with the NuGet package Azure.Bicep.CommandLine.linux-x64 " +
                    "(FunctionsApp.Tests.csproj); run `dotnet restore` and build again.");
            }

            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("The Bicep CLI package pinned here is the linux-x64 build; CI and the developers' machines are Linux.");
            }

            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }

            return path;
        }
    }

    /// <summary>Runs bicep with <paramref name="arguments"/>; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry, and no update check against the network.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }

        return (process.ExitCode, await output, await errors);
    }
}
