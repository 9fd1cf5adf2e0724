using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Hosting;

FunctionsApplication.CreateBuilder(args).Build().Run();

namespace HostApps.BuiltInHttp
{
/// <summary>Probes for the host's HTTP path on the built-in model.</summary>
public sealed class Probes
{
    /// <summary>Answers with the number of body bytes it read and the value of the X-Probe header.</summary>
    [Function("Echo")]
    public static async Task<HttpResponseData> Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "echo/{id?}")] HttpRequestData request, string? id)
    {
        var read = 0L;
        var buffer = new byte[81920];
        int count;
        while ((count = await request.Body.ReadAsync(buffer)) > 0)
        {
            read += count;
        }

        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("X-Probe", request.Headers.TryGetValues("X-Probe", out var probe) ? string.Join(",", probe) : "");
        await response.WriteStringAsync($"read={read};id={id}");
        return response;
    }

    /// <summary>The greeting's shape (a name from the query, JSON with message and timestamp), for comparing the HTTP models.</summary>
    [Function("Greet")]
    public static async Task<HttpResponseData> Greet([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request)
    {
        var name = System.Web.HttpUtility.ParseQueryString(request.Url.Query)["name"] ?? "there";
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteAsJsonAsync(new { message = $"Hello {name}! Welcome to serverless.", timestamp = DateTimeOffset.UtcNow });
        return response;
    }

    /// <summary>Waits ?ms= milliseconds, then answers.</summary>
    [Function("Slow")]
    public static async Task<HttpResponseData> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request)
    {
        await Task.Delay(int.Parse(System.Web.HttpUtility.ParseQueryString(request.Url.Query)["ms"] ?? "0", System.Globalization.CultureInfo.InvariantCulture));
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync("slow done");
        return response;
    }

    /// <summary>Throws: the function fails.</summary>
    [Function("Fail")]
    public static HttpResponseData Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
        throw new InvalidOperationException("The probe failed on purpose.");
}
}
