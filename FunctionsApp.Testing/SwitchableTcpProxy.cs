using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FunctionsApp.Testing;

/// <summary>
/// A loopback TCP proxy in front of one port that a test takes down and brings back up, to stand
/// for a dependency's outage: while down it resets every connection, new ones and open ones, so a
/// client's pooled connection cannot slip past the outage.
/// </summary>
public sealed class SwitchableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<int, TcpClient> open = new();
    private readonly Task accepting;
    private volatile bool up;
    private int nextConnection;
    private int resetConnections;

    /// <param name="targetPort">The loopback port connections are forwarded to.</param>
    /// <param name="up">Whether to forward from the start.</param>
    public SwitchableTcpProxy(int targetPort, bool up)
    {
        this.targetPort = targetPort;
        this.up = up;
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>The port to connect to instead of the target's.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public bool IsUp => up;

    /// <summary>How many connections were reset because the proxy was down.</summary>
    public int ResetConnections => Volatile.Read(ref resetConnections);

    public void BringUp() => up = true;

    public void TakeDown()
    {
        up = false;
        foreach (var connection in open.Values)
        {
            Reset(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var connection in open.Values)
        {
            Reset(connection);
        }

        await accepting;
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = up ? RelayAsync(client) : RefuseAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var id = Interlocked.Increment(ref nextConnection);
        open[id] = client;
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, targetPort, stopping.Token);
            if (!up)
            {
                // Taken down while this connection was being set up.
                Interlocked.Increment(ref resetConnections);
                Reset(client);
                return;
            }

            var fromClient = client.GetStream();
            var toTarget = upstream.GetStream();
            // Either side closing ends the relay; the finally closes the other.
            await Task.WhenAny(PumpAsync(fromClient, toTarget), PumpAsync(toTarget, fromClient));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection failed or was reset; the client sees that as the outage.
        }
        finally
        {
            open.TryRemove(id, out _);
            client.Dispose();
        }
    }

    /// <summary>
    /// Resets a connection once the client has sent its request, as a failing server or a load
    /// balancer in front of one does. Reset at once, the client would see the connection gone
    /// before it even started (a bare SocketException from the connect), which no real outage
    /// produces and which HTTP clients classify differently from a reset.
    /// </summary>
    private async Task RefuseAsync(TcpClient client)
    {
        Interlocked.Increment(ref resetConnections);
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            wait.CancelAfter(TimeSpan.FromSeconds(5));
            await client.GetStream().ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, wait.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone or silent: reset it all the same.
        }
        finally
        {
            Reset(client);
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, stopping.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Ends the relay like a close does.
        }
    }

    /// <summary>Closes with an RST rather than a FIN, so the client sees a reset, as in an outage.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        finally
        {
            client.Dispose();
        }
    }
}
