using System.Net;
using System.Net.Sockets;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// The proxy's request delay stands for a distant service (the benchmark's storage latency), so it
/// must delay each request once, however many chunks the request and its answer cross in, on a
/// connection kept alive from one request to the next as HTTP clients keep theirs.
/// </summary>
public sealed class SwitchableTcpProxyDelayTests
{
    [Fact]
    public async Task RequestDelay_KeptAliveConnection_DrawnOncePerRequestNotPerChunk()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        try
        {
            var delays = 0;
            await using var proxy = new SwitchableTcpProxy(((IPEndPoint)server.LocalEndpoint).Port, up: true, () =>
            {
                Interlocked.Increment(ref delays);
                return TimeSpan.FromMilliseconds(1);
            });
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, proxy.Port, cancel.Token);
            using var accepted = await server.AcceptTcpClientAsync(cancel.Token);
            var (clientSide, serverSide) = (client.GetStream(), accepted.GetStream());

            for (var request = 0; request < 3; request++)
            {
                // The request in two writes, the second once the server has the first: two chunks through the proxy.
                await clientSide.WriteAsync("head"u8.ToArray(), cancel.Token);
                await serverSide.ReadExactlyAsync(new byte[4], cancel.Token);
                await clientSide.WriteAsync("body"u8.ToArray(), cancel.Token);
                await serverSide.ReadExactlyAsync(new byte[4], cancel.Token);
                // The answer in two writes as well.
                await serverSide.WriteAsync("o"u8.ToArray(), cancel.Token);
                await clientSide.ReadExactlyAsync(new byte[1], cancel.Token);
                await serverSide.WriteAsync("k"u8.ToArray(), cancel.Token);
                await clientSide.ReadExactlyAsync(new byte[1], cancel.Token);
            }

            Assert.Equal(3, Volatile.Read(ref delays));
        }
        finally
        {
            server.Stop();
        }
    }
}
