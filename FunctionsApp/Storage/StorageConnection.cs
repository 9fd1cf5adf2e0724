using System.Globalization;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace FunctionsApp.Storage;

/// <summary>
/// The storage account named by one setting (AzureWebJobsStorage), in either of the two forms the
/// Functions storage extensions accept: a connection string, or an identity-based section (service
/// URIs or an account name, plus a credential). Read the way those extensions read it, so the app's
/// own clients and the queue trigger always talk to the same account.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The one credential kind the section may name; without it, DefaultAzureCredential is used.</summary>
    public const string ManagedIdentity = "managedidentity";

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

    private StorageConnection(string? connectionString, Uri? blobServiceUri, Uri? queueServiceUri, string? clientId, bool managedIdentity)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        QueueServiceUri = queueServiceUri;
        ClientId = clientId;
        UsesManagedIdentity = managedIdentity;
    }

    /// <summary>The connection string; null for an identity-based connection.</summary>
    public string? ConnectionString { get; }

    /// <summary>The blob endpoint of an identity-based connection; null for a connection string.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>The queue endpoint of an identity-based connection; null for a connection string.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>The client id of a user-assigned managed identity; null for the system-assigned one or another credential.</summary>
    public string? ClientId { get; }

    /// <summary>True when the section says <c>credential = managedidentity</c>.</summary>
    public bool UsesManagedIdentity { get; }

    /// <summary>True for the service-URI form, which needs a <see cref="TokenCredential"/>.</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>
    /// Reads <paramref name="name"/> from <paramref name="configuration"/> (<c>ConnectionStrings:name</c>
    /// first, as the extensions do): its value is a connection string; without a value, its children
    /// (<c>name__accountName</c>, else <c>name__blobServiceUri</c> and <c>name__queueServiceUri</c>;
    /// <c>name__credential</c>, <c>name__clientId</c>) describe an identity-based connection. Throws,
    /// naming the settings to set, when neither form is complete.
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
                $"with '{name}__credential' = '{ManagedIdentity}' and '{name}__clientId' for a user-assigned identity.");
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

        var credential = section[CredentialKey];
        var managedIdentity = string.Equals(credential, ManagedIdentity, StringComparison.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(credential) && !managedIdentity)
        {
            throw new InvalidOperationException(
                $"The setting '{name}__credential' must be '{ManagedIdentity}', or be left unset to use DefaultAzureCredential " +
                "(developer sign-in, environment variables or managed identity).");
        }

        var clientId = section[ClientIdKey];
        if (!string.IsNullOrWhiteSpace(clientId) && !managedIdentity)
        {
            // The host would ignore a client id without a managed-identity credential and sign in
            // as something else: say so at start rather than fail on the first request.
            throw new InvalidOperationException(
                $"The setting '{name}__clientId' is set but '{name}__credential' is not '{ManagedIdentity}'; " +
                $"set '{name}__credential' to '{ManagedIdentity}' to use that user-assigned identity.");
        }

        return new StorageConnection(null, blob, queue, string.IsNullOrWhiteSpace(clientId) ? null : clientId, managedIdentity);
    }

    /// <summary>
    /// The credential the section names: the managed identity (user-assigned when a client id is
    /// given), otherwise DefaultAzureCredential. Null for a connection string, which carries its own.
    /// </summary>
    public TokenCredential? CreateCredential()
    {
        if (!IsIdentityBased)
        {
            return null;
        }

        if (UsesManagedIdentity)
        {
            return new ManagedIdentityCredential(ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(ClientId));
        }

        return new DefaultAzureCredential();
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

        return new StorageConnection(connectionString, null, null, null, managedIdentity: false);
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
