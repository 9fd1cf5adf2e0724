namespace FunctionsApp.Testing;

/// <summary>Waits for an effect of asynchronous work, with a deadline instead of a sleep.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until it returns a value, then returns that value; after
    /// <paramref name="timeout"/> fails saying what was expected and what the last probe saw.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<(T? Value, string Seen)>> probe, TimeSpan timeout, string expected)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (value, seen) = await probe();
            if (value is not null)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {expected} within {timeout.TotalSeconds} s; last saw: {seen}");
            }

            await Task.Delay(Interval);
        }
    }
}
