namespace FunctionsApp.Benchmarks;

/// <summary>What a fixed-duration HTTP load produced: throughput and latency (milliseconds) of the
/// measured period, and how many requests the warm-up sent before it.</summary>
public sealed record HttpLoadResult(int Clients, TimeSpan Duration, int Requests, int Errors, Stats LatencyMs, int WarmupRequests)
{
    public double RequestsPerSecond => Requests / Duration.TotalSeconds;
}
