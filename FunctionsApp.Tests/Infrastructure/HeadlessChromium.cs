using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsApp.Tests.Infrastructure;

/// <summary>
/// Debian's headless Chromium driven over the Chrome DevTools protocol (a WebSocket of JSON commands),
/// without any browser download: <c>scripts/ensure-chromium.sh</c> installs the package. It starts
/// on a port the browser picks (read from its "DevTools listening on" line), with a profile of its
/// own that is deleted on dispose.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process process;
    private readonly string profile;
    private readonly ClientWebSocket socket = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private int nextId;

    private HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync(int width = 1400, int height = 900)
    {
        var executable = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(path => path is not null)
            ?? throw new InvalidOperationException("No Chromium on PATH: run scripts/ensure-chromium.sh (it installs Debian's chromium package).");
        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var lines = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    endpoint.TrySetException(new InvalidOperationException($"Chromium exited before it listened:\n{lines}"));
                    return;
                }

                lock (lines)
                {
                    lines.AppendLine(e.Data);
                }

                if (ListeningLine().Match(e.Data) is { Success: true } match)
                {
                    endpoint.TrySetResult(new Uri(match.Groups[1].Value));
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var browserSocket = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The page target the browser opened with about:blank.
            using var http = new HttpClient { BaseAddress = new Uri($"http://{browserSocket.Authority}/") };
            var targets = await http.GetFromJsonAsync<JsonArray>("json/list") ?? [];
            var page = targets.FirstOrDefault(t => (string?)t?["type"] == "page")
                ?? throw new InvalidOperationException($"Chromium has no page target: {targets.ToJsonString()}");
            await browser.socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a URL and waits until the document has loaded.</summary>
    public async Task NavigateAsync(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        await SendAsync("Page.enable");
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        await WaitForAsync("document.readyState === 'complete'", TimeSpan.FromSeconds(20), "the page to load");
    }

    /// <summary>The value of a JavaScript expression (awaited when it is a promise), as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"The page threw on {expression}: {exception.ToJsonString()}");
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Polls a JavaScript condition until it is true.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if ((await EvaluateAsync($"!!({condition})"))?.GetValue<bool>() == true)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var status = await EvaluateAsync("document.getElementById('status')?.textContent ?? document.body?.innerText?.slice(0, 500) ?? ''");
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {what} ({condition}); the page says: {status}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A PNG of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String((string)result["data"]!);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            socket.Dispose();
            sending.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A child process still held a file; the temp folder is the system's to clean.
            }
        }
    }

    /// <summary>One command; events that arrive before its answer are skipped.</summary>
    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        await sending.WaitAsync();
        try
        {
            var id = ++nextId;
            var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            await socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var message = await ReceiveAsync(timeout.Token);
                if ((int?)message["id"] != id)
                {
                    continue;
                }

                if (message["error"] is { } error)
                {
                    throw new InvalidOperationException($"Chromium refused {method}: {error.ToJsonString()}");
                }

                return message["result"] ?? new JsonObject();
            }
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task<JsonNode> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonNode.Parse(message.ToArray()) ?? new JsonObject();
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex ListeningLine();
}
