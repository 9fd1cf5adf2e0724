namespace FunctionsApp.Tests.Infrastructure;

/// <summary>Unique, valid queue and container names, one set per test.</summary>
public static class StorageNamesForTests
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
}
