using System.Diagnostics;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// A closed-loop load generator: each client sends the next request when the previous one has
/// answered, over keep-alive connections (one per client), for a warm-up and then a measured period.
/// </summary>
public static class HttpLoad
{
    public static async Task<HttpLoadResult> RunAsync(Uri url, int clients, TimeSpan warmup, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var warm = await RunPhaseAsync(http, url, clients, warmup);
        var clock = Stopwatch.StartNew();
        var results = await RunPhaseAsync(http, url, clients, duration);
        var elapsed = clock.Elapsed;
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        return new HttpLoadResult(clients, elapsed, latencies.Length, results.Sum(r => r.Errors), Stats.Of(latencies), warm.Sum(r => r.Latencies.Count + r.Errors));
    }

    /// <summary>Sends requests one after another and returns each latency in milliseconds.</summary>
    public static async Task<double[]> SequentialAsync(HttpClient http, Uri url, int count)
    {
        ArgumentNullException.ThrowIfNull(http);
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            latencies[i] = await TimeOneAsync(http, url);
        }

        return latencies;
    }

    /// <summary>One request, failing unless it is a 200; its latency in milliseconds.</summary>
    public static async Task<double> TimeOneAsync(HttpClient http, Uri url)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return response.IsSuccessStatusCode
            ? elapsed
            : throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}.");
    }

    private static async Task<(List<double> Latencies, int Errors)[]> RunPhaseAsync(HttpClient http, Uri url, int clients, TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(16 * 1024);
            var errors = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url);
                await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    errors++;
                }
            }

            return (latencies, errors);
        })));
    }
}
