using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using FunctionsHost.Tests.Infrastructure;
using FunctionsHost.Logging;
using FunctionsHost.Rpc;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>
/// The host honours host.json's functionTimeout on a queue-triggered function as the Functions
/// host does: past it the worker is sent InvocationCancel, the attempt fails (so the message comes
/// back and is retried, then poisoned), and a worker that keeps running the invocation is restarted
/// after the grace period, so no retry ever runs beside the attempt it replaces.
/// </summary>
public sealed partial class FunctionTimeoutEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Function = "Stall";
    private static readonly string BuiltIn = Path.Combine("FunctionsHost.Tests", "HostApps", "BuiltInHttp");

    [Fact]
    public async Task QueueFunctionPastTheTimeout_HonoursInvocationCancel_EachAttemptFailsAtTheTimeoutAndNoneRunsBesideAnother()
    {
        await using var run = await StallRun.StartAsync(azurite, output, visibilityTimeout: TimeSpan.FromSeconds(1));
        var messageId = await run.SendAsync("honour");

        var poisoned = await run.WaitUntilPoisonedAsync(TimeSpan.FromSeconds(60));

        var attempts = run.Host.InvocationsOf(Function);
        // The worker's own line about the last attempt can reach the host after the poison move.
        var cancelled = await Poll.UntilAsync(
            () =>
            {
                var lines = run.Host.Logs.Find(e => e.Message.StartsWith($"Stall {messageId} cancelled after ", StringComparison.Ordinal));
                return Task.FromResult<(IReadOnlyList<WorkerLogEntry>?, string)>((lines.Count >= 2 ? lines : null, $"{lines.Count} cancellation line(s) from the worker"));
            },
            TimeSpan.FromSeconds(15),
            "the worker's line for each cancelled attempt");
        output.WriteLine($"Attempts: {string.Join(", ", attempts.Select(a => a.Failure?.GetType().Name ?? a.Response?.Result?.Status.ToString()))}");
        Assert.Equal("honour", poisoned);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.IsType<FunctionTimeoutException>(a.Failure));

        // The function's CancellationToken fired in the worker at the timeout, once per attempt.
        Assert.Equal(2, cancelled.Count);
        Assert.All(cancelled, e => Assert.InRange(CancelledAfter(e.Message), 1_500, 10_000));
        Assert.Equal(2, run.Host.Logs.Find(e => e.Message.StartsWith($"Timeout value of 00:00:02 exceeded by function '{Function}'", StringComparison.Ordinal)
            && e.Message.EndsWith("Initiating cancellation.", StringComparison.Ordinal)).Count);

        // It ended within the grace period, so the worker was kept, and each attempt ran alone.
        Assert.Single(run.Host.WorkerProcessIds);
        run.AssertEachAttemptRanAlone(messageId, expectedStarts: 2);
    }

    [Fact]
    public async Task QueueFunctionIgnoringCancellation_WorkerIsRestartedAfterTheGracePeriod_RetryRunsAlone()
    {
        // The retry comes back after 5 s, past the 2 s timeout plus the 2 s grace period: by then
        // the worker still running the first attempt has been replaced.
        await using var run = await StallRun.StartAsync(azurite, output, visibilityTimeout: TimeSpan.FromSeconds(5));
        var firstWorker = run.Host.WorkerProcessId;
        var messageId = await run.SendAsync("ignore");

        var poisoned = await run.WaitUntilPoisonedAsync(TimeSpan.FromSeconds(90));

        var attempts = run.Host.InvocationsOf(Function);
        Assert.Equal("ignore", poisoned);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.IsType<FunctionTimeoutException>(a.Failure));
        Assert.Empty(run.Host.Logs.Find(e => e.Message.StartsWith($"Stall {messageId} cancelled", StringComparison.Ordinal)));
        var restart = Assert.Single(
            run.Host.Logs.Find(e => e.Message.StartsWith("A function timeout has occurred. Restarting worker process", StringComparison.Ordinal)),
            e => e.Message.Contains($"process {firstWorker} ", StringComparison.Ordinal));
        Assert.True(run.Host.WorkerProcessIds.Count >= 2, $"Expected the worker running the timed-out invocation to be replaced; workers: {string.Join(", ", run.Host.WorkerProcessIds)}.");
        run.AssertEachAttemptRanAlone(messageId, expectedStarts: 2);

        // The retry started only after the worker still running the first attempt was killed.
        var retryStarted = run.Host.Logs.Find(e => e.Message.StartsWith($"Stall {messageId} started with ", StringComparison.Ordinal))[1].Timestamp;
        Assert.True(retryStarted > restart.Timestamp, $"The retry started at {retryStarted:HH:mm:ss.fff}, before the first attempt's worker was restarted at {restart.Timestamp:HH:mm:ss.fff}.");
    }

    private static long CancelledAfter(string message) =>
        long.Parse(CancelledAfterPattern().Match(message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"cancelled after (\d+) ms")]
    private static partial Regex CancelledAfterPattern();

    /// <summary>The probe app with a 2 s functionTimeout, listening to a queue of this test's own.</summary>
    private sealed class StallRun : IAsyncDisposable
    {
        private readonly AppCopyWithHostJson app;
        private readonly QueueClient queue;
        private readonly QueueClient poison;
        private readonly ITestOutputHelper output;

        private StallRun(AppCopyWithHostJson app, WorkerHost host, QueueClient queue, QueueClient poison, ITestOutputHelper output)
        {
            this.app = app;
            Host = host;
            this.queue = queue;
            this.poison = poison;
            this.output = output;
        }

        public WorkerHost Host { get; }

        public static async Task<StallRun> StartAsync(AzuriteFixture azurite, ITestOutputHelper output, TimeSpan visibilityTimeout)
        {
            // Two attempts, then the poison queue; plain-text messages.
            var app = AppCopyWithHostJson.Create(FunctionsAppOutput.Of(BuiltIn, "BuiltInHttp"), """
                {
                  "version": "2.0",
                  "functionTimeout": "00:00:02",
                  "extensions": { "queues": { "messageEncoding": "none", "maxDequeueCount": 2, "maxPollingInterval": "00:00:00.500" } }
                }
                """);
            var name = AppStorageNames.Unique("stall");
            var queue = azurite.Queues.GetQueueClient(name);
            var poison = azurite.Queues.GetQueueClient(name + "-poison");
            try
            {
                await queue.CreateAsync();
                var host = await WorkerHost.StartAsync(new WorkerHostOptions
                {
                    AppDirectory = app.Directory,
                    AppSettings = new Dictionary<string, string>
                    {
                        ["AzureWebJobsStorage"] = azurite.ConnectionString,
                        ["StallQueueName"] = name,
                    },
                    EnableHttp = false,
                    DrainTimeout = TimeSpan.FromSeconds(5),
                    OverrideQueueOptions = options => options.VisibilityTimeout = visibilityTimeout,
                });
                return new StallRun(app, host, queue, poison, output);
            }
            catch
            {
                await queue.DeleteIfExistsAsync();
                app.Dispose();
                throw;
            }
        }

        public async Task<string> SendAsync(string text) => (await queue.SendMessageAsync(text)).Value.MessageId;

        public async Task<string> WaitUntilPoisonedAsync(TimeSpan timeout) =>
            await Poll.UntilAsync(
                async () =>
                {
                    var text = await poison.PeekOrNullAsync();
                    return (text, $"{Host.InvocationsOf(Function).Count} attempt(s) ended, poison queue {(text is null ? "empty" : "has the message")}");
                },
                timeout,
                "the message in the poison queue after two timed-out attempts");

        /// <summary>Every start of the probe found no other invocation of the message running in its worker.</summary>
        public void AssertEachAttemptRanAlone(string messageId, int expectedStarts)
        {
            var starts = Host.Logs.Find(e => e.Message.StartsWith($"Stall {messageId} started with ", StringComparison.Ordinal));
            Assert.Equal(expectedStarts, starts.Count);
            Assert.All(starts, e => Assert.EndsWith("started with 1 running", e.Message, StringComparison.Ordinal));
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Host.DisposeAsync();
            }
            finally
            {
                output.WriteLine("---- worker and test host logs ----");
                Host.Logs.WriteTo(output);
                await queue.DeleteIfExistsAsync();
                await poison.DeleteIfExistsAsync();
                app.Dispose();
            }
        }
    }
}
