using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Benchmarks;

/// <summary>
/// Where the telemetry benchmark's worker exports to: an OTLP/HTTP receiver on 127.0.0.1 that
/// reads each export whole, counts it and answers success (an empty protobuf response). The
/// worker pays for exporting as it would to a collector; the counts prove it exported.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly WebApplication app;
    private long exports;
    private long bytes;

    private OtlpSink(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    public long Exports => Interlocked.Read(ref exports);

    public long Bytes => Interlocked.Read(ref bytes);

    public static async Task<OtlpSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new OtlpSink(app);
        // /v1/traces, /v1/metrics, /v1/logs
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Interlocked.Increment(ref sink.exports);
            Interlocked.Add(ref sink.bytes, body.Length);
            return Results.Bytes(Array.Empty<byte>(), "application/x-protobuf");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        sink.Endpoint = new Uri(address.TrimEnd('/'));
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
