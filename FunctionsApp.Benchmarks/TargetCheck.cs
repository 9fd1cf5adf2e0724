namespace FunctionsApp.Benchmarks;

/// <summary>A performance target from the issue and whether this run met it, with the numbers.</summary>
public sealed record TargetCheck(string Target, bool Met, string Evidence);
