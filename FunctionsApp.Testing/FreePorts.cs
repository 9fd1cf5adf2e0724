using System.Net;
using System.Net.Sockets;

namespace FunctionsApp.Testing;

/// <summary>Loopback ports for test servers.</summary>
public static class FreePorts
{
    /// <summary>A port the OS just handed out and released; callers retry if another process wins it.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A loopback port on which nothing listens, to stand for an unreachable service.</summary>
    public static int Closed() => Next();
}
