using Azure.Storage.Queues;
using FunctionsApp.Functions;
using FunctionsApp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The dead-letter console page in a real browser (Debian's headless Chromium over the DevTools
/// protocol) against the real worker: the list renders, a body holding markup shows as text and
/// runs nothing, and replaying a selection moves exactly the selected messages.
/// </summary>
public sealed class DeadLetterConsolePageEndToEndTests(HttpAppFixture fixture, ITestOutputHelper output)
    : IClassFixture<HttpAppFixture>
{
    private const string HostileBody = """{"action":"generate_report","report_id":"<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"}""";

    private QueueServiceClient Queues => fixture.Azurite.Queues;

    [Fact]
    public async Task Page_ListsShowsAHostileBodyAsTextAndReplaysTheSelection()
    {
        var storage = fixture.App.Storage;
        await Queues.GetQueueClient(storage.WorkItemsQueue).CreateIfNotExistsAsync();
        var bodies = Enumerable.Range(1, 4).Select(i => $$"""{"action":"generate_report","report_id":"r-{{i}}"}""").ToArray();
        var ids = new List<string>();
        foreach (var (body, reason) in bodies.Zip(new[] { "retries_exhausted", "retries_exhausted", "unknown_action", "missing_field" }))
        {
            ids.Add(await Park(DeadLetterConsoleEndToEndTests.Envelope(reason, Guid.NewGuid().ToString(), body: body)));
        }

        var hostileId = await Park(DeadLetterConsoleEndToEndTests.Envelope("invalid_json", Guid.NewGuid().ToString(), body: HostileBody)
            .Replace("crafted for a test", "<b onmouseover=window.__pwned=3>bold</b>", StringComparison.Ordinal));
        var craftedId = await Park(DeadLetterConsoleEndToEndTests.Envelope("unknown_action", "../../victim", body: "{}"));

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(new Uri(fixture.App.Host.HttpBaseAddress, "api/dead-letter-console"));
        await browser.WaitForAsync("document.querySelectorAll('#list tbody tr').length === 6", TimeSpan.FromSeconds(20), "six rows in the list");

        // Counts by reason, and the crafted envelope listed but not selectable.
        var counts = await browser.EvaluateAsync("Object.fromEntries(Array.from(document.querySelectorAll('#counts tbody tr')).map(r => [r.cells[0].textContent, Number(r.cells[1].textContent)]))");
        Assert.Equal(2, (int)counts!["retries_exhausted"]!);
        Assert.Equal(2, (int)counts["unknown_action"]!);
        Assert.True((bool)(await browser.EvaluateAsync($"document.querySelector('#list tr[data-id=\"{craftedId}\"] input.pick').disabled"))!);

        // The hostile body, on click: shown as text, nothing of it ran or became an element.
        await browser.EvaluateAsync($"document.querySelector('#list tr[data-id=\"{hostileId}\"]').click()");
        await browser.WaitForAsync("document.getElementById('body').textContent.includes('<script>')", TimeSpan.FromSeconds(20), "the hostile body");
        Assert.Equal(HostileBody, (string?)await browser.EvaluateAsync("document.getElementById('body').textContent"));
        Assert.Equal(0, (int)(await browser.EvaluateAsync("document.querySelectorAll('main script, main img, main b').length"))!);
        Assert.Equal("undefined", (string?)await browser.EvaluateAsync("typeof window.__pwned"));
        await SaveScreenshotAsync(browser);

        // Replay two of them, confirming the question.
        await browser.EvaluateAsync("window.confirm = () => true; true");
        foreach (var id in new[] { ids[0], ids[2] })
        {
            await browser.EvaluateAsync($"document.querySelector('#list tr[data-id=\"{id}\"] input.pick').click()");
        }

        Assert.False((bool)(await browser.EvaluateAsync("document.getElementById('replay-selected').disabled"))!);
        await browser.EvaluateAsync("document.getElementById('replay-selected').click()");
        await browser.WaitForAsync("document.getElementById('result').textContent.startsWith('Replayed the selection: moved 2')", TimeSpan.FromSeconds(30), "the replay's answer");
        await browser.WaitForAsync("document.querySelectorAll('#list tbody tr').length === 4", TimeSpan.FromSeconds(20), "the list without the replayed two");

        Assert.Equal(new[] { bodies[0], bodies[2] }.Order(), (await QueueProbes.ReadAllAsync(Queues, storage.WorkItemsQueue)).Order());
        Assert.Equal(4, (await QueueProbes.ReadAllAsync(Queues, storage.PoisonQueue)).Count);
        Assert.Equal("undefined", (string?)await browser.EvaluateAsync("typeof window.__pwned"));

        // The key is kept for this tab only.
        await browser.EvaluateAsync("document.getElementById('key').value = 'test-key'; document.getElementById('key-form').requestSubmit(); true");
        Assert.Equal("test-key", (string?)await browser.EvaluateAsync("sessionStorage.getItem('dead-letter-console.key')"));
        Assert.Equal(0, (int)(await browser.EvaluateAsync("localStorage.length"))!);

        await Queues.GetQueueClient(storage.PoisonQueue).ClearMessagesAsync();
        await Queues.GetQueueClient(storage.WorkItemsQueue).ClearMessagesAsync();
    }

    [Fact]
    public async Task Page_IsServedWithAStrictContentSecurityPolicy_AndNoInlineScript()
    {
        using var client = new HttpClient { BaseAddress = fixture.App.Host.HttpBaseAddress };
        using var page = await client.GetAsync(new Uri("api/dead-letter-console", UriKind.Relative));
        using var script = await client.GetAsync(new Uri("api/dead-letter-console/console.js", UriKind.Relative));
        using var other = await client.GetAsync(new Uri("api/dead-letter-console/secrets.json", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(DeadLetterConsoleFunction.ContentSecurityPolicy, string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        Assert.DoesNotContain("unsafe", DeadLetterConsoleFunction.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
        // Every script element has a src: nothing inline for the policy to block.
        Assert.Equal(1, html.Split("<script", StringSplitOptions.None).Length - 1);
        Assert.Contains("<script src=\"/api/dead-letter-console/console.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|eval\(", await script.Content.ReadAsStringAsync());
    }

    private Task<string> Park(string text) => QueueProbes.SendAsync(Queues, fixture.App.Storage.PoisonQueue, text);

    private async Task SaveScreenshotAsync(HeadlessChromium browser)
    {
        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "Expected a PNG screenshot.");
        var path = Path.Combine(AppContext.BaseDirectory, "dead-letter-console.png");
        await File.WriteAllBytesAsync(path, png);
        output.WriteLine($"Screenshot: {path} ({png.Length} bytes); docs/dead-letter-console.png is a copy of one.");
    }
}
