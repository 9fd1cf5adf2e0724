using System.Net;
using FunctionsApp.Greeting;
using FunctionsApp.Http;
using FunctionsApp.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// The HTTP baseline: a bare ASP.NET Core minimal API on 127.0.0.1 answering GET /api/hello with
/// the same JSON bytes as the app (the app's GreetingService and serializer), without Functions.
/// It runs in the benchmark's process, as our host's HTTP front does.
/// </summary>
public sealed class BareGreetingServer : IAsyncDisposable
{
    private const string ContentType = "application/json; charset=utf-8";

    private readonly WebApplication app;

    private BareGreetingServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<BareGreetingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GreetingService>();
        var app = builder.Build();
        app.MapGet("/api/hello", (HttpRequest request, GreetingService greetings) =>
        {
            var result = greetings.Greet(new GreetingRequest(ReadOnlyMemory<byte>.Empty, null, request.Query["name"]));
            return result.Error is { } error
                ? Results.Json(error, HttpJson.ErrorReplyJson, ContentType, (int)result.Status)
                : Results.Json(result.Reply!, OutgoingJson.Of(GreetingJsonContext.Default.GreetingReply), ContentType, (int)result.Status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new BareGreetingServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
