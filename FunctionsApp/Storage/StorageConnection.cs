using System.Globalization;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace FunctionsApp.Storage;

/// <summary>
/// The storage account named by one setting (AzureWebJobsStorage), in either of the two forms the
/// Functions storage extensions accept: a connection string, or an identity-based section (service
/// URIs or an account name, plus credential settings). Read the way those extensions read it, and
/// its credential made by the same <see cref="AzureComponentFactory"/>, so the app's own clients and
/// the queue trigger always talk to the same account as the same identity.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The <c>credential</c> value for a managed identity (with <see cref="ClientIdKey"/> or <see cref="ManagedIdentityResourceIdKey"/> for a user-assigned one).</summary>
    public const string ManagedIdentity = "managedidentity";

    /// <summary>The <c>credential</c> value for workload identity: a federated token file exchanged for an Entra token (Kubernetes).</summary>
    public const string WorkloadIdentity = "workloadidentity";

    /// <summary>The section read before the setting itself: <c>ConnectionStrings:name</c>.</summary>
    public const string ConnectionStringsSection = "ConnectionStrings";

    /// <summary>The keys of the identity-based form, each the setting <c>name__key</c>.</summary>
    public const string AccountNameKey = "accountName";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string BlobServiceUriKey = "blobServiceUri";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string QueueServiceUriKey = "queueServiceUri";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string CredentialKey = "credential";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ClientIdKey = "clientId";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ManagedIdentityResourceIdKey = "managedIdentityResourceId";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string TenantIdKey = "tenantId";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string TokenFilePathKey = "tokenFilePath";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ClientSecretKey = "clientSecret";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ClientCertificateKey = "clientCertificate";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ClientCertificateStoreNameKey = "clientCertificateStoreName";

    /// <inheritdoc cref="AccountNameKey"/>
    public const string ClientCertificateStoreLocationKey = "clientCertificateStoreLocation";

    private readonly IConfigurationSection? credentialSection;

    private StorageConnection(string? connectionString, Uri? blobServiceUri, Uri? queueServiceUri, IConfigurationSection? credentialSection)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        QueueServiceUri = queueServiceUri;
        this.credentialSection = credentialSection;
    }

    /// <summary>The connection string; null for an identity-based connection.</summary>
    public string? ConnectionString { get; }

    /// <summary>The blob endpoint of an identity-based connection; null for a connection string.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>The queue endpoint of an identity-based connection; null for a connection string.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>True for the service-URI form, which needs a <see cref="TokenCredential"/>.</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>
    /// Reads <paramref name="name"/> from <paramref name="configuration"/> (<c>ConnectionStrings:name</c>
    /// first, as the extensions do): its value is a connection string; without a value, its children
    /// (<c>name__accountName</c>, else <c>name__blobServiceUri</c> and <c>name__queueServiceUri</c>, and
    /// the credential settings) describe an identity-based connection. Throws, naming the settings to
    /// set, when neither form is complete or the credential settings cannot make a credential.
    /// </summary>
    public static StorageConnection Resolve(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(name);

        // As the extensions look it up: a ConnectionStrings entry first, then the setting itself.
        var section = configuration.GetSection(ConnectionStringsSection).GetSection(name);
        if (!section.Exists())
        {
            section = configuration.GetSection(name);
        }

        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return FromConnectionString(name, section.Value);
        }

        var children = section.GetChildren().Where(c => !string.IsNullOrWhiteSpace(c.Value)).ToList();
        if (children.Count == 0)
        {
            throw new InvalidOperationException(
                $"The app setting '{name}' is missing. Set it to a storage connection string " +
                "(\"UseDevelopmentStorage=true\" for Azurite on its default ports), or set an identity-based connection: " +
                $"'{name}__blobServiceUri' and '{name}__queueServiceUri' (or '{name}__accountName'), " +
                $"with '{name}__credential' = '{ManagedIdentity}' (and '{name}__clientId' for a user-assigned identity) or '{WorkloadIdentity}', " +
                "or no credential setting for DefaultAzureCredential.");
        }

        // As the storage extensions do: an account name stands for the public cloud's endpoints
        // and wins over service URIs; otherwise each service has its own URI.
        Uri? blob;
        Uri? queue;
        if (section[AccountNameKey] is { Length: > 0 } account)
        {
            blob = AccountUri(name, account, "blob");
            queue = AccountUri(name, account, "queue");
        }
        else
        {
            blob = ServiceUri(section, name, BlobServiceUriKey);
            queue = ServiceUri(section, name, QueueServiceUriKey);
            var missing = new[] { (Uri: blob, Key: BlobServiceUriKey), (Uri: queue, Key: QueueServiceUriKey) }
                .Where(s => s.Uri is null).Select(s => $"'{name}__{s.Key}'").ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The identity-based connection '{name}' is incomplete: set {string.Join(" and ", missing)} " +
                    $"(the app uses both blobs and queues), or '{name}__accountName' for an account in the public Azure cloud.");
            }
        }

        CheckCredential(section, name);
        return new StorageConnection(null, blob, queue, section);
    }

    /// <summary>
    /// The credential the section names, made by <paramref name="factory"/> as the Functions storage
    /// extensions make theirs (<c>credential</c> = <c>managedidentity</c> or <c>workloadidentity</c>;
    /// tenant, client id and secret or certificate thumbprint; otherwise the factory's default,
    /// DefaultAzureCredential). Null for a connection string, which carries its own.
    /// </summary>
    public TokenCredential? CreateCredential(AzureComponentFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return credentialSection is null ? null : factory.CreateTokenCredential(credentialSection);
    }

    /// <summary>
    /// What the factory would only find out when the first request needs a token, said at start
    /// with the settings' names: a credential kind it does not know (it would quietly fall back to
    /// DefaultAzureCredential), a managed identity named twice, a workload identity without its
    /// tenant, client or token file.
    /// </summary>
    private static void CheckCredential(IConfigurationSection section, string name)
    {
        var credential = section[CredentialKey];
        if (string.IsNullOrWhiteSpace(credential))
        {
            return;
        }

        if (string.Equals(credential, ManagedIdentity, StringComparison.OrdinalIgnoreCase))
        {
            if (!string.IsNullOrWhiteSpace(section[ClientIdKey]) && !string.IsNullOrWhiteSpace(section[ManagedIdentityResourceIdKey]))
            {
                throw new InvalidOperationException(
                    $"The settings '{name}__clientId' and '{name}__managedIdentityResourceId' both name a user-assigned identity; set one of them.");
            }

            return;
        }

        if (string.Equals(credential, WorkloadIdentity, StringComparison.OrdinalIgnoreCase))
        {
            // The options read AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (which the
            // workload identity webhook sets in a pod); a setting in the section wins, as in the factory.
            var fromEnvironment = new WorkloadIdentityCredentialOptions();
            var missing = new[]
            {
                (Key: TenantIdKey, Value: section[TenantIdKey] ?? fromEnvironment.TenantId, Variable: "AZURE_TENANT_ID"),
                (Key: ClientIdKey, Value: section[ClientIdKey] ?? fromEnvironment.ClientId, Variable: "AZURE_CLIENT_ID"),
                (Key: TokenFilePathKey, Value: section[TokenFilePathKey] ?? fromEnvironment.TokenFilePath, Variable: "AZURE_FEDERATED_TOKEN_FILE"),
            }.Where(s => string.IsNullOrWhiteSpace(s.Value)).Select(s => $"'{name}__{s.Key}' (or {s.Variable})").ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The setting '{name}__credential' is '{WorkloadIdentity}' but {string.Join(", ", missing)} is not set; " +
                    "in a pod labelled azure.workload.identity/use=true the workload identity webhook sets the variables.");
            }

            return;
        }

        throw new InvalidOperationException(
            $"The setting '{name}__credential' must be '{ManagedIdentity}' or '{WorkloadIdentity}', or be left unset: then " +
            $"'{name}__tenantId' and '{name}__clientId' with '{name}__clientSecret' or '{name}__clientCertificate' name a service principal, " +
            "and without them DefaultAzureCredential is used (developer sign-in, environment variables or managed identity).");
    }

    private static StorageConnection FromConnectionString(string name, string connectionString)
    {
        // The SDK parses a connection string only when the first client is built; parse it now so
        // a malformed one stops the app at start. The text itself holds a key: it is never echoed.
        try
        {
            _ = new BlobServiceClient(connectionString);
            _ = new QueueServiceClient(connectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The app setting '{name}' is not a usable storage connection string (it needs AccountName and AccountKey, " +
                "or BlobEndpoint and QueueEndpoint, or \"UseDevelopmentStorage=true\"). For an identity-based connection " +
                $"leave '{name}' empty and set '{name}__blobServiceUri' and '{name}__queueServiceUri' instead.", ex);
        }

        return new StorageConnection(connectionString, null, null, null);
    }

    private static Uri AccountUri(string name, string account, string service)
    {
        // Storage account names are 3-24 lowercase letters and digits; anything else would make a
        // host name that resolves nowhere, or somewhere unintended.
        if (account.Length is < 3 or > 24 || !account.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            throw new InvalidOperationException(
                $"The setting '{name}__accountName' must be a storage account name: 3-24 lowercase letters and digits.");
        }

        return new Uri(string.Format(CultureInfo.InvariantCulture, "https://{0}.{1}.core.windows.net", account, service));
    }

    private static Uri? ServiceUri(IConfigurationSection section, string name, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // A bearer token is only ever sent over HTTPS (the SDK refuses otherwise), so an http URI
        // could never work: refuse it at start with the reason.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException(
                $"The setting '{name}__{key}' must be an absolute https URI, such as https://<account>.{key[..^"ServiceUri".Length]}.core.windows.net.");
        }

        return uri;
    }
}
