namespace FunctionsHost.Http;

/// <summary>The HTTP port asked for is taken by another process.</summary>
public sealed class PortInUseException(int port, Exception inner)
    : IOException($"Port {port} on localhost is already in use.", inner)
{
    public int Port { get; } = port;
}
