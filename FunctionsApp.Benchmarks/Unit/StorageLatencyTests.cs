using FunctionsApp.Benchmarks.Queue;

namespace FunctionsApp.Tests.Unit.Benchmarks;

/// <summary>The latency stage's delays: the grid's conditions are named by their median and p99, so those must be what it draws.</summary>
public sealed class StorageLatencyTests
{
    [Fact]
    public void Fixed_DrawsTheSameDelayEveryTime()
    {
        var latency = StorageLatency.Fixed(5);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(TimeSpan.FromMilliseconds(5), latency.Next()));
        Assert.Equal(5, latency.MeanMs, 9);
    }

    [Fact]
    public void Tailed_DrawsTheMedianAndP99ItIsNamedBy()
    {
        var latency = StorageLatency.Tailed(5, 30, seed: 23);

        var draws = Enumerable.Range(0, 200_000).Select(_ => latency.Next().TotalMilliseconds).Order().ToArray();

        Assert.InRange(draws[draws.Length / 2], 4.8, 5.2);
        Assert.InRange(draws[(int)(draws.Length * 0.99)], 28.5, 31.5);
        // A lognormal's mean: median x exp(sigma^2 / 2), about 6.7 ms here.
        Assert.InRange(draws.Average(), 0.97 * latency.MeanMs, 1.03 * latency.MeanMs);
        Assert.InRange(latency.MeanMs, 6.6, 6.8);
    }

    [Fact]
    public void Tailed_SameSeed_SameSequence()
    {
        var first = StorageLatency.Tailed(5, 30, seed: 7);
        var second = StorageLatency.Tailed(5, 30, seed: 7);

        Assert.Equal(Enumerable.Range(0, 50).Select(_ => first.Next()), Enumerable.Range(0, 50).Select(_ => second.Next()));
    }
}
