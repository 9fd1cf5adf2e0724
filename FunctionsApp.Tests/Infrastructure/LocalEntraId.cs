using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// A stand-in for Microsoft Entra ID and for a managed identity endpoint, over HTTPS on loopback:
/// it answers the token requests Azure.Identity sends for workload identity (a client credentials
/// grant whose client assertion is the federated token file's content) and for managed identity
/// (App Service's identity endpoint), with the unsigned storage JWTs Azurite's basic OAuth accepts,
/// and remembers every request so a test can tell which way the app signed in.
/// </summary>
public sealed class LocalEntraId : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<TokenRequest> requests = new();

    private LocalEntraId(WebApplication app, string identityHeader)
    {
        this.app = app;
        IdentityHeader = identityHeader;
    }

    /// <summary>One token request: which flow, the tenant in the path (workload identity), the client id, the assertion (workload identity) and the scope or resource.</summary>
    public sealed record TokenRequest(string Flow, string? Tenant, string? ClientId, string? Assertion, string? Scope);

    /// <summary><c>AZURE_AUTHORITY_HOST</c> for workload identity.</summary>
    public Uri AuthorityHost { get; private set; } = null!;

    /// <summary><c>IDENTITY_ENDPOINT</c> for managed identity (the App Service form).</summary>
    public Uri ManagedIdentityEndpoint => new(AuthorityHost, "msi/token");

    /// <summary><c>IDENTITY_HEADER</c>: the secret a managed identity request must carry.</summary>
    public string IdentityHeader { get; }

    /// <summary>Every token request answered so far.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. requests];

    /// <summary>
    /// Starts on a free loopback port, serving <paramref name="certificate"/>. Token requests whose
    /// assertion is not <paramref name="acceptedAssertion"/> (when given) are refused, as Entra ID
    /// refuses a federated token it cannot verify.
    /// </summary>
    public static async Task<LocalEntraId> StartAsync(X509Certificate2 certificate, string? acceptedAssertion = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var webApp = builder.Build();
        var server = new LocalEntraId(webApp, Guid.NewGuid().ToString("N"));
        server.Map(webApp, acceptedAssertion);
        await webApp.StartAsync();
        var address = webApp.Urls.Single();
        server.AuthorityHost = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Map(WebApplication web, string? acceptedAssertion)
    {
        web.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var assertion = form["client_assertion"].ToString();
            var scope = form["scope"].ToString();
            requests.Enqueue(new TokenRequest("workload", tenant, form["client_id"].ToString(), assertion, scope));
            if (acceptedAssertion is not null && assertion != acceptedAssertion)
            {
                return Results.Json(new Dictionary<string, object> { ["error"] = "invalid_client", ["error_description"] = "The federated token was not accepted." }, statusCode: 401);
            }

            return Results.Json(new Dictionary<string, object>
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
                ["ext_expires_in"] = 3600,
                ["access_token"] = StorageToken(scope),
            });
        });
        web.MapGet("/msi/token", (HttpRequest request) =>
        {
            var resource = request.Query["resource"].ToString();
            requests.Enqueue(new TokenRequest("managed", null, request.Query["client_id"].ToString(), null, resource));
            if (request.Headers["X-IDENTITY-HEADER"].ToString() != IdentityHeader)
            {
                return Results.StatusCode(401);
            }

            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = StorageToken(resource),
                ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = request.Query["client_id"].ToString(),
            });
        });
    }

    // Only a request for storage gets a storage token; anything else gets a token Azurite refuses.
    private static string StorageToken(string scopeOrResource)
    {
        var audience = scopeOrResource.StartsWith(UnsignedJwtCredential.StorageAudience, StringComparison.Ordinal)
            ? UnsignedJwtCredential.StorageAudience
            : scopeOrResource;
        return new UnsignedJwtCredential(audience).GetToken(new TokenRequestContext([scopeOrResource]), CancellationToken.None).Token;
    }
}
