using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// A private Azurite that takes bearer tokens (<c>--oauth basic</c>), which it only does over HTTPS:
/// served with a self-signed certificate made here for 127.0.0.1, and a transport that trusts that
/// one certificate and nothing else. Keys would still work on it; the tests that use it never hold any.
/// </summary>
public sealed class OAuthAzurite : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("azurite-oauth-").FullName;
    private AzuriteServer? server;
    private X509Certificate2? certificate;
    private HttpClientHandler? handler;

    /// <summary>The blob endpoint, as <c>AzureWebJobsStorage__blobServiceUri</c> would name it.</summary>
    public Uri BlobServiceUri => new($"https://127.0.0.1:{Server.BlobPort}/{AzuriteServer.AccountName}");

    /// <summary>The queue endpoint, as <c>AzureWebJobsStorage__queueServiceUri</c> would name it.</summary>
    public Uri QueueServiceUri => new($"https://127.0.0.1:{Server.QueuePort}/{AzuriteServer.AccountName}");

    /// <summary>
    /// The certificate Azurite serves (with its private key), for another local HTTPS server a test
    /// starts beside it; and its PEM file, for a child process to trust it (<c>SSL_CERT_FILE</c>).
    /// </summary>
    public X509Certificate2 Certificate => certificate ?? throw new InvalidOperationException("Azurite has not started.");

    /// <inheritdoc cref="Certificate"/>
    public string CertificatePemPath => Path.Combine(directory, "cert.pem");

    /// <summary>An HTTP transport for Azure SDK clients that accepts this Azurite's certificate only.</summary>
    public HttpPipelineTransport Transport { get; private set; } = null!;

    private AzuriteServer Server => server ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync()
    {
        certificate = CreateCertificate();
        var certPath = CertificatePemPath;
        var keyPath = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        using (var key = certificate.GetRSAPrivateKey()!)
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        var expected = certificate.GetCertHash(HashAlgorithmName.SHA256);
        handler = new HttpClientHandler
        {
            // Trust is pinned to the certificate this fixture made; every other one is refused.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected),
        };
        Transport = new HttpClientTransport(handler);
        server = await AzuriteServer.StartAsync(extraArguments: ["--oauth", "basic", "--cert", certPath, "--key", keyPath]);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        handler?.Dispose();
        certificate?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
    }
}
