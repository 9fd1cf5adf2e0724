using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FunctionsApp.Testing;

/// <summary>
/// A loopback TCP proxy in front of one port that a test takes down and brings back up, to stand
/// for a dependency's outage: while down it resets every connection, new ones and open ones, so a
/// client's pooled connection cannot slip past the outage. Given a request delay, it also stands
/// for a distant service (the benchmark's Azure-like storage latency): each request waits that long
/// before it is forwarded.
/// </summary>
public sealed class SwitchableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<int, TcpClient> open = new();
    private readonly Task accepting;
    private readonly Func<TimeSpan>? requestDelay;
    private volatile bool up;
    private int nextConnection;
    private int resetConnections;

    /// <param name="targetPort">The loopback port connections are forwarded to.</param>
    /// <param name="up">Whether to forward from the start.</param>
    /// <param name="requestDelay">
    /// How long each request waits before it is forwarded, drawn once per request; null forwards at once.
    /// </param>
    public SwitchableTcpProxy(int targetPort, bool up, Func<TimeSpan>? requestDelay = null)
    {
        this.targetPort = targetPort;
        this.up = up;
        this.requestDelay = requestDelay;
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
            var exchange = new Exchange();
            Func<Task>? beforeRequest = requestDelay is null ? null : () => exchange.BeginsRequest() ? Task.Delay(requestDelay(), stopping.Token) : Task.CompletedTask;
            Func<Task>? beforeAnswer = requestDelay is null ? null : () =>
            {
                exchange.Answer();
                return Task.CompletedTask;
            };
            await Task.WhenAny(PumpAsync(fromClient, toTarget, beforeRequest), PumpAsync(toTarget, fromClient, beforeAnswer));
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

    /// <summary>Copies until either side closes; <paramref name="beforeWrite"/> runs before each chunk is passed on.</summary>
    private async Task PumpAsync(Stream from, Stream to, Func<Task>? beforeWrite)
    {
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stopping.Token)) > 0)
            {
                if (beforeWrite is not null)
                {
                    await beforeWrite();
                }

                await to.WriteAsync(buffer.AsMemory(0, read), stopping.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Ends the relay like a close does.
        }
    }

    /// <summary>
    /// One connection's turn, for the request delay: on a kept-alive HTTP connection the first bytes
    /// the client sends after the target has answered (or since the connection opened) begin a new
    /// request; the rest of it (headers and body in several writes) follows without a further delay.
    /// </summary>
    private sealed class Exchange
    {
        private int answered = 1;

        /// <summary>Noted before the answer reaches the client, so its next request always finds it.</summary>
        public void Answer() => Volatile.Write(ref answered, 1);

        /// <summary>Whether these bytes begin a new request.</summary>
        public bool BeginsRequest() => Interlocked.Exchange(ref answered, 0) == 1;
    }

    /// <summary>Closes with an RST rather than a FIN, so the client sees a reset, as in an outage.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            // Null once the relay has disposed the client (a connection ending while the proxy stops).
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
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
