using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// As FunctionsApp does: ASP.NET Core's per-request Information lines would each cross gRPC to the host.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Build().Run();

namespace HostApps.AspNetCoreHttp
{
/// <summary>Probes for the host's HTTP proxy path (ASP.NET Core integration).</summary>
public sealed class Probes
{
    /// <summary>Answers with the number of body bytes it read and the value of the X-Probe header.</summary>
    [Function("Echo")]
    public static async Task<IResult> Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "echo/{id?}")] HttpRequest request, string? id)
    {
        var read = 0L;
        var buffer = new byte[81920];
        int count;
        while ((count = await request.Body.ReadAsync(buffer)) > 0)
        {
            read += count;
        }

        request.HttpContext.Response.Headers["X-Probe"] = request.Headers["X-Probe"].ToString();
        return Results.Text($"read={read};id={id}");
    }

    /// <summary>The greeting's shape (a name from the query, JSON with message and timestamp), for comparing the HTTP models.</summary>
    [Function("Greet")]
    public static IResult Greet([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request)
    {
        var name = request.Query["name"].ToString() is { Length: > 0 } given ? given : "there";
        return Results.Json(new { message = $"Hello {name}! Welcome to serverless.", timestamp = DateTimeOffset.UtcNow });
    }

    /// <summary>Waits ?ms= milliseconds, then answers.</summary>
    [Function("Slow")]
    public static async Task<IResult> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request)
    {
        await Task.Delay(int.Parse(request.Query["ms"].ToString() is { Length: > 0 } ms ? ms : "0", System.Globalization.CultureInfo.InvariantCulture));
        return Results.Text("slow done");
    }

    /// <summary>Answers 413 without reading the body, leaving the worker's Kestrel (at its default limit) to discard it.</summary>
    [Function("Refuse")]
    public static IResult Refuse([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest request) =>
        Results.StatusCode(StatusCodes.Status413PayloadTooLarge);

    /// <summary>Throws: the function fails.</summary>
    [Function("Fail")]
    public static IResult Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) =>
        throw new InvalidOperationException("The probe failed on purpose.");

    /// <summary>Streams ?kb= kibibytes back.</summary>
    [Function("Download")]
    public static async Task Download([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request)
    {
        var kib = int.Parse(request.Query["kb"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var response = request.HttpContext.Response;
        response.ContentType = "application/octet-stream";
        var block = new byte[1024];
        for (var i = 0; i < kib; i++)
        {
            await response.Body.WriteAsync(block);
        }
    }
}
}
