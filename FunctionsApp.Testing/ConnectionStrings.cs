namespace FunctionsApp.Testing;

/// <summary>Edits storage connection strings, to point one service somewhere else.</summary>
public static class ConnectionStrings
{
    public static string WithBlobEndpoint(string connectionString, string blobEndpoint)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var index = parts.FindIndex(p => p.StartsWith("BlobEndpoint=", StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            throw new InvalidOperationException(
                $"The connection string has no BlobEndpoint to replace; set {AzuriteServer.ConnectionStringVariable} to one with explicit BlobEndpoint and QueueEndpoint.");
        }

        parts[index] = "BlobEndpoint=" + blobEndpoint;
        return string.Join(';', parts) + ";";
    }
}
