
namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// One worker for a class of HTTP tests (the greeting's, the replay's against crafted dead letters):
/// a worker per test would only cost start-up time. The queue listener is off, so nothing consumes
/// the work queue: what a test finds there is what the app sent.
/// </summary>
public sealed class HttpAppFixture : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();
    private AppUnderTest? app;

    public AzuriteFixture Azurite => azurite;

    public AppUnderTest App => app ?? throw new InvalidOperationException("The app has not started.");

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        app = await AppUnderTest.StartAsync(azurite, output: null, enableQueues: false);
        Client = new HttpClient { BaseAddress = app.Host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        await azurite.DisposeAsync();
    }
}
