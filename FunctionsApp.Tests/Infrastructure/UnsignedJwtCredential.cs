using System.Text;
using System.Text.Json;
using Azure.Core;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// A stand-in for Microsoft Entra ID: hands out unsigned JWTs with the claims Azurite's basic OAuth
/// check reads (a known Entra issuer, the storage audience, iat/nbf/exp), and remembers the scopes
/// the Azure SDK asked for, so a test can tell that the token path was taken.
/// </summary>
public sealed class UnsignedJwtCredential(string audience = UnsignedJwtCredential.StorageAudience) : TokenCredential
{
    public const string StorageAudience = "https://storage.azure.com";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly List<string> scopes = [];

    /// <summary>Every scope asked for so far.</summary>
    public IReadOnlyList<string> RequestedScopes
    {
        get
        {
            lock (scopes)
            {
                return [.. scopes];
            }
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (scopes)
        {
            scopes.AddRange(requestContext.Scopes);
        }

        var now = DateTimeOffset.UtcNow;
        return new AccessToken(Token(now), now + Lifetime);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private string Token(DateTimeOffset now)
    {
        var header = new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience,
            // A made-up tenant under the public cloud's issuer.
            ["iss"] = "https://sts.windows.net/0b1f1f61-4b4c-4a35-9a36-6c2d1f7c0e11/",
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["oid"] = "5c0a2d8e-0a3f-4f4e-8f2e-8a1b7d6c5e40",
        };
        return $"{Base64Url(header)}.{Base64Url(payload)}.";
    }

    private static string Base64Url(Dictionary<string, object> part) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(part))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
