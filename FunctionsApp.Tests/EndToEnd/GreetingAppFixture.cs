using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// One worker for all greeting tests: HTTP requests share no state, so a worker per test would only
/// cost start-up time. The queue listener is off; these tests send no messages.
/// </summary>
public sealed class GreetingAppFixture : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();
    private AppUnderTest? app;

    public AppUnderTest App => app ?? throw new InvalidOperationException("The app has not started.");

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        app = await AppUnderTest.StartAsync(azurite, output: null, enableQueues: false);
        Client = new HttpClient { BaseAddress = app.Host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(30) };
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
