using System.Runtime.InteropServices;
using Xunit;

namespace FunctionsApp.Testing;

/// <summary>
/// A test that needs what only Linux x64 has here: the Bicep CLI package this project restores
/// (<c>Azure.Bicep.CommandLine.linux-x64</c>) or a bash script. Elsewhere it is skipped, saying why,
/// instead of failing for a reason that is not the code's.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LinuxX64FactAttribute : FactAttribute
{
    public const string Reason = "Needs Linux x64: the Bicep CLI package restored here is linux-x64, and the scripts are bash.";

    public LinuxX64FactAttribute()
    {
        if (!IsLinuxX64)
        {
            Skip = Reason;
        }
    }

    public static bool IsLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;
}
