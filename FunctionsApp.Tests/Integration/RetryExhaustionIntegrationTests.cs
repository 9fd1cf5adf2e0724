using System.Text.Json;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Integration;

/// <summary>A report write that keeps failing, with Blob Storage unreachable and the queues up.</summary>
public sealed class RetryExhaustionIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Body = """{"action":"generate_report","report_id":"r-unreachable"}""";
    private InProcessApp app = null!;

    public Task InitializeAsync()
    {
        app = new InProcessApp(azurite, blobUnreachable: true);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task StorageFailure_BeforeLastAttempt_PropagatesForRetryAndParksNothing()
    {
        // The Azure SDK retried the upload (3 times, AppServices) against the closed port and gives
        // up with every attempt's connection failure: that is what the platform must see to retry.
        var failure = await Assert.ThrowsAsync<AggregateException>(() => app.ProcessAsync(Body, dequeueCount: 1));

        Assert.Equal(4, failure.InnerExceptions.Count);
        Assert.All(failure.InnerExceptions, inner => Assert.IsType<Azure.RequestFailedException>(inner));

        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task StorageFailure_OnLastAttempt_ParksBodyWithReasonAndAttemptCount()
    {
        var maxDequeueCount = HostJson.MaxDequeueCount(RepositoryPaths.Root);

        await app.ProcessAsync(Body, messageId: "m-last", dequeueCount: maxDequeueCount);

        var parked = await app.DeadLetters.PeekOrNullAsync();
        Assert.NotNull(parked);
        using var envelope = JsonDocument.Parse(parked);
        Assert.Equal("retries_exhausted", envelope.RootElement.GetProperty("reason").GetString());
        Assert.Equal(Body, envelope.RootElement.GetProperty("original_body").GetString());
        Assert.Equal(maxDequeueCount, envelope.RootElement.GetProperty("dequeue_count").GetInt64());
        Assert.Equal("generate_report", envelope.RootElement.GetProperty("action").GetString());
        var description = envelope.RootElement.GetProperty("description").GetString();
        Assert.Contains($"attempt {maxDequeueCount} of {maxDequeueCount}", description, StringComparison.Ordinal);
        Assert.Contains("Exception", description, StringComparison.Ordinal);
    }
}
