using Xunit;

namespace FunctionsApp.Testing;

/// <summary>The theory form of <see cref="LinuxX64FactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LinuxX64TheoryAttribute : TheoryAttribute
{
    public LinuxX64TheoryAttribute()
    {
        if (!LinuxX64FactAttribute.IsLinuxX64)
        {
            Skip = LinuxX64FactAttribute.Reason;
        }
    }
}
