using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;

namespace FunctionsApp.Tests.Unit.Dispatch;

/// <summary>
/// Hostile text (control characters, bidi overrides, separators, 60 KB) sent through every field
/// that can reach a log line or a dead-letter description, through the real composition root with
/// only the storage classes replaced: nothing logged or described may carry it raw or unbounded.
/// </summary>
public sealed class CallerTextInLogsTests : IDisposable
{
    /// <summary>Far more than any log line needs; a raw 60 KB value would break it.</summary>
    private const int MaxLoggedLength = 2000;

    private const string Forgery = "x\nFAKE LOG LINE\r\u001b[31m\u202Eevil\u2066\u200B\u2028\u2029\u0085\u0000\uFEFF";

    private static readonly string Huge = Forgery + new string('A', 60 * 1024);

    private readonly List<DeadLetterEnvelope> envelopes = [];
    private readonly ServiceProvider provider;
    private readonly FakeLogCollector logs;

    public CallerTextInLogsTests()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppServices.StorageConnectionSetting] = "UseDevelopmentStorage=true" })
            .Build();
        var services = new ServiceCollection().AddLogging(logging => logging.AddFakeLogging()).AddFunctionsApp(configuration);

        var deadLetters = new Mock<IDeadLetterSink>(MockBehavior.Strict);
        deadLetters.Setup(d => d.SendAsync(It.IsAny<DeadLetterEnvelope>(), It.IsAny<CancellationToken>()))
            .Callback<DeadLetterEnvelope, CancellationToken>((e, _) => envelopes.Add(e))
            .Returns(Task.CompletedTask);
        // The report store fails with the caller's text in its message, as an exception from a
        // downstream service might.
        var reports = new Mock<IReportStore>(MockBehavior.Strict);
        reports.Setup(s => s.SaveIfAbsentAsync(It.IsAny<ReportDocument>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("upload failed for " + Huge));
        var sender = new Mock<INotificationSender>(MockBehavior.Strict);
        sender.Setup(s => s.SendAsync(It.IsAny<Notification>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        var sentKeys = new HashSet<string>(StringComparer.Ordinal);
        var sentLog = new Mock<ISentNotificationLog>(MockBehavior.Strict);
        sentLog.Setup(l => l.ContainsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((string key, CancellationToken _) => sentKeys.Contains(key));
        sentLog.Setup(l => l.AddAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).Callback<string, CancellationToken>((key, _) => sentKeys.Add(key)).Returns(Task.CompletedTask);
        services.Replace(ServiceDescriptor.Singleton(deadLetters.Object));
        services.Replace(ServiceDescriptor.Singleton(reports.Object));
        services.Replace(ServiceDescriptor.Singleton(sender.Object));
        services.Replace(ServiceDescriptor.Singleton(sentLog.Object));
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        logs = provider.GetFakeLogCollector();
    }

    public void Dispose() => provider.Dispose();

    private static string Json(string text) => JsonSerializer.Serialize(text);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string, long> HostileMessages => new()
    {
        { "action", $$"""{"action":{{Json(Huge)}}}""", 1 },
        { "action, short", $$"""{"action":{{Json(Forgery)}}}""", 1 },
        { "action in base64", Base64($$"""{"action":{{Json(Forgery)}}}"""), 1 },
        { "raw control characters in JSON", "{\"action\":\"" + Forgery + "\"}", 1 },
        { "broken JSON", "{\"action\":\"generate_report\"," + Forgery, 1 },
        { "neither JSON nor base64", Forgery + "\u202E not base64", 1 },
        { "base64 of text that is not JSON", Base64(Huge[..1000]), 1 },
        { "duplicate key", $$"""{"action":"generate_report",{{Json(Forgery)}}:1,{{Json(Forgery)}}:2}""", 1 },
        { "duplicate key, nested", """{"action":"generate_report","report_id":"r1","parameters":{"a":{""" + $"{Json(Huge[..2000])}:1,{Json(Huge[..2000])}:2" + "}}}", 1 },
        { "report_id", $$"""{"action":"generate_report","report_id":{{Json(Huge)}}}""", 1 },
        { "title", $$"""{"action":"generate_report","report_id":"r1","title":{{Json(Huge)}}}""", 1 },
        { "parameters", $$"""{"action":"generate_report","report_id":"r1","parameters":{{Json(Huge)}}}""", 1 },
        { "user_id", $$"""{"action":"send_notification","user_id":{{Json(Huge)}}}""", 1 },
        { "message", $$"""{"action":"send_notification","user_id":"u1","message":{{Json(Huge)}}}""", 1 },
        { "idempotency_key, too long", $$"""{"action":"send_notification","user_id":"u1","idempotency_key":{{Json(Huge)}}}""", 1 },
        { "idempotency_key, logged when sent", $$"""{"action":"send_notification","user_id":"u1","idempotency_key":{{Json(Forgery)}}}""", 1 },
        { "field of the wrong type", """{"action":"send_notification","user_id":{"x":""" + Json(Huge) + "}}", 1 },
        { "exception message on the last attempt", """{"action":"generate_report","report_id":"r1"}""", 5 },
    };

    [Theory]
    [MemberData(nameof(HostileMessages))]
    public async Task DispatchAsync_HostileText_NeverReachesALogOrDescriptionRawOrUnbounded(string field, string body, long dequeueCount)
    {
        await DispatchAsync(body, dequeueCount);
        if (field.Contains("logged when sent", StringComparison.Ordinal))
        {
            // Again: the second delivery logs the key as a suppressed duplicate (event 3001).
            await DispatchAsync(body, dequeueCount);
            Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 3001);
        }

        var snapshot = logs.GetSnapshot();
        Assert.NotEmpty(snapshot);
        foreach (var record in snapshot)
        {
            AssertSafe($"log event {record.Id} message", record.Message);
            foreach (var pair in record.StructuredState ?? [])
            {
                AssertSafe($"log event {record.Id} value {pair.Key}", pair.Value);
            }

            foreach (var pair in record.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(p => p))
            {
                AssertSafe($"log event {record.Id} scope value {pair.Key}", pair.Value?.ToString());
            }
        }

        foreach (var envelope in envelopes)
        {
            AssertSafe("envelope description", envelope.Description);
            AssertSafe("envelope action", envelope.Action);
        }
    }

    [Fact]
    public async Task DispatchAsync_UnknownActionWithNewline_DescribesItEscaped()
    {
        await DispatchAsync("""{"action":"x\nFAKE LOG LINE"}""", 1);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.UnknownAction, envelope.Reason);
        Assert.Equal(@"The action 'x\u000AFAKE LOG LINE' is not known.", envelope.Description);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1001);
        Assert.DoesNotContain('\n', warning.Message);
    }

    private async Task DispatchAsync(string body, long dequeueCount)
    {
        await using var scope = provider.CreateAsyncScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<ActionDispatcher>();
        try
        {
            await dispatcher.DispatchAsync(new ReceivedMessage("msg-1", body, dequeueCount), CancellationToken.None);
        }
        catch (IOException)
        {
            // A transient failure before the last attempt: rethrown for the platform; its log is checked.
        }
    }

    private static void AssertSafe(string where, string? text)
    {
        if (text is null)
        {
            return;
        }

        Assert.True(text.Length <= MaxLoggedLength, $"Expected {where} to be bounded; it is {text.Length} characters long.");
        for (var i = 0; i < text.Length; i++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
            Assert.False(
                category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate,
                $"Expected {where} to hold no raw control or format character; it holds U+{(int)text[i]:X4} ({category}) at {i}: " +
                text[..Math.Min(text.Length, 200)]);
            if (char.IsSurrogatePair(text, i))
            {
                i++;
            }
        }
    }
}
