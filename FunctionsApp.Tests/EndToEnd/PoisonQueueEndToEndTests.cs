using System.Diagnostics;
using System.Text.Json;
using FunctionsHost.Rpc;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// A transient failure that never clears: the WebJobs listener retries the message up to host.json's
/// maxDequeueCount; on the last attempt the app parks it in the poison queue, body intact, with
/// the failure as its reason.
/// </summary>
public sealed class PoisonQueueEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GenerateReport_BlobStorageUnreachable_IsAttemptedMaxDequeueCountTimesThenParkedWithReason()
    {
        var (_, queuePort) = azurite.Server.OwnPorts("it points the blob endpoint at a closed port");
        var maxDequeueCount = MaxDequeueCountFromHostJson();
        var unreachableBlobs = AzuriteServer.BuildConnectionString(FreePorts.Closed(), queuePort);

        // host.json's 10 s visibility timeout would add ~10 s between attempts; each attempt already
        // spends a few seconds in the Azure SDK's own retries against the closed port.
        // maxDequeueCount stays host.json's.
        await using var app = await AppUnderTest.StartAsync(
            azurite, output, unreachableBlobs, overrideQueueOptions: options => options.VisibilityTimeout = TimeSpan.Zero);
        var body = $$"""{"action":"generate_report","report_id":"r-{{Guid.NewGuid():N}}"}""";
        var clock = Stopwatch.StartNew();
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, body);

        var poisoned = await Poll.UntilAsync(
            async () =>
            {
                var peeked = await QueueProbes.ReadAllAsync(azurite.Queues, app.Storage.PoisonQueue);
                var attempts = app.Attempts(messageId).Count;
                return (peeked.Count > 0 ? peeked : null, $"{attempts} attempt(s) so far; poison queue: {QueueProbes.Describe(peeked)}");
            },
            TimeSpan.FromSeconds(120),
            $"the message in {app.Storage.PoisonQueue} after {maxDequeueCount} attempts");
        output.WriteLine($"Poisoned after {clock.Elapsed.TotalSeconds:F1} s.");

        using var envelope = JsonDocument.Parse(Assert.Single(poisoned));
        Assert.Equal("retries_exhausted", envelope.RootElement.GetProperty("reason").GetString());
        Assert.Equal(body, envelope.RootElement.GetProperty("original_body").GetString());
        Assert.Equal(maxDequeueCount, envelope.RootElement.GetProperty("dequeue_count").GetInt32());
        Assert.Contains("Exception", envelope.RootElement.GetProperty("description").GetString(), StringComparison.Ordinal);
        var attempts = await Poll.UntilAsync(
            () =>
            {
                var seen = app.Attempts(messageId);
                return Task.FromResult<(IReadOnlyList<InvocationRecord>?, string)>(
                    (seen.Count == maxDequeueCount ? seen : null, $"{seen.Count} attempt(s) recorded"));
            },
            TimeSpan.FromSeconds(10),
            $"{maxDequeueCount} recorded attempts (host.json maxDequeueCount)");
        Assert.All(attempts.Take(maxDequeueCount - 1), a => Assert.False(a.Succeeded));
        Assert.True(attempts[^1].Succeeded, "The last attempt parks the message and completes.");
        Assert.Equal(
            Enumerable.Range(1, maxDequeueCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            attempts.Select(a => a.TriggerValue("DequeueCount")));
        // The listener deletes the message after the last attempt has answered: wait for that, as
        // a busy machine may take a while, instead of counting at once.
        await Poll.UntilAsync(
            async () =>
            {
                var left = await QueueProbes.CountAsync(azurite.Queues, app.Storage.WorkItemsQueue);
                return (left == 0 ? "empty" : null, $"{left} message(s) in {app.Storage.WorkItemsQueue}");
            },
            TimeSpan.FromSeconds(30),
            "the work queue empty once the parked message's last attempt completed");
    }

    private static int MaxDequeueCountFromHostJson()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionsAppOutput.HostJsonPath));
        return hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();
    }
}
