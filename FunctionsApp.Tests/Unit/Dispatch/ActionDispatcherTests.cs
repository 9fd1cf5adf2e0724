using FunctionsApp.Tests.Infrastructure;
using System.Text;
using Azure;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;
using FunctionsApp.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class ActionDispatcherTests : IDisposable
{
    private const string SecretText = "Your biopsy results are ready, Ada";

    private static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    private readonly Mock<IActionHandler<GenerateReportAction>> reports = new();
    private readonly Mock<IActionHandler<SendNotificationAction>> notifications = new();
    private readonly Mock<IDeadLetterSink> deadLetters = new();
    private readonly FakeTimeProvider time = new(Start);
    private readonly FakeLogger<ActionDispatcher> logger = new();
    private readonly ServiceProvider root;
    private readonly IServiceScope scope;
    private readonly ActionDispatcher dispatcher;
    private readonly List<DeadLetterEnvelope> envelopes = [];

    public ActionDispatcherTests()
    {
        // The routes come from the real registration; only the handlers behind them are doubles.
        var services = new ServiceCollection();
        services.AddAction<GenerateReportAction, GenerateReportHandler>();
        services.AddAction<SendNotificationAction, SendNotificationHandler>();
        services.Replace(ServiceDescriptor.Scoped(_ => reports.Object));
        services.Replace(ServiceDescriptor.Scoped(_ => notifications.Object));
        root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        scope = root.CreateScope();

        deadLetters.Setup(d => d.SendAsync(It.IsAny<DeadLetterEnvelope>(), It.IsAny<CancellationToken>()))
            .Callback<DeadLetterEnvelope, CancellationToken>((e, _) => envelopes.Add(e))
            .Returns(Task.CompletedTask);

        var options = Options.Create(new DispatchOptions { WorkItemsQueueName = "work-items", DeadLetterQueueName = "work-items-poison" });
        dispatcher = new ActionDispatcher(new ActionParser(options), scope.ServiceProvider, deadLetters.Object, time, options, TestMetrics.Create(), logger);
    }

    public void Dispose()
    {
        scope.Dispose();
        root.Dispose();
    }

    private Task Dispatch(string body, string messageId = "msg-42", long dequeueCount = 3, CancellationToken cancellationToken = default) =>
        dispatcher.DispatchAsync(new ReceivedMessage(messageId, body, dequeueCount), cancellationToken);

    private IReadOnlyList<FakeLogRecord> Logs => logger.Collector.GetSnapshot();

    private static IEnumerable<KeyValuePair<string, object?>> ScopeValues(FakeLogRecord record) =>
        record.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(pairs => pairs);

    private void AssertNoHandlerCalled()
    {
        reports.VerifyNoOtherCalls();
        notifications.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task DispatchAsync_ValidGenerateReport_ReachesReportHandlerWithActionAndContext()
    {
        using var cancellation = new CancellationTokenSource();

        await Dispatch("""{"action":"generate_report","report_id":"r1","title":"Sales"}""", "msg-42", 3, cancellation.Token);

        reports.Verify(h => h.HandleAsync(
            new GenerateReportAction("r1", "Sales", null), new ActionContext("msg-42", 3), cancellation.Token), Times.Once);
        notifications.VerifyNoOtherCalls();
        deadLetters.VerifyNoOtherCalls();
        var processed = Assert.Single(Logs, r => r.Id.Id == 1000);
        Assert.Equal(LogLevel.Information, processed.Level);
    }

    [Fact]
    public async Task DispatchAsync_ValidGenerateReportAsBase64_ReachesReportHandler()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"action":"generate_report","report_id":"r2"}"""));

        await Dispatch(body);

        reports.Verify(h => h.HandleAsync(
            new GenerateReportAction("r2", null, null), new ActionContext("msg-42", 3), It.IsAny<CancellationToken>()), Times.Once);
        deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task DispatchAsync_ValidSendNotification_ReachesNotificationHandlerOnly()
    {
        await Dispatch("""{"action":"send_notification","user_id":"u1","message":"hi"}""", "msg-7", 1);

        notifications.Verify(h => h.HandleAsync(
            new SendNotificationAction("u1", "hi", null), new ActionContext("msg-7", 1), It.IsAny<CancellationToken>()), Times.Once);
        reports.VerifyNoOtherCalls();
        deadLetters.VerifyNoOtherCalls();
    }

    [Theory]
    [InlineData("delete_everything")]
    [InlineData("Generate_Report")]
    [InlineData("GENERATE_REPORT")]
    [InlineData("generate_report ")]
    public async Task DispatchAsync_UnknownAction_DeadLettersOriginalBodyAndCallsNoHandler(string action)
    {
        var body = "{\"action\":\"" + action + "\", \"report_id\" : \"r1\"}";
        time.Advance(TimeSpan.FromMinutes(5));

        await Dispatch(body, "msg-42", 4);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.UnknownAction, envelope.Reason);
        Assert.Equal(body, envelope.OriginalBody);
        Assert.Equal("msg-42", envelope.MessageId);
        Assert.Equal(4, envelope.DequeueCount);
        Assert.Equal(Start.AddMinutes(5), envelope.FailedAt);
        Assert.Equal(action, envelope.Action);
        AssertNoHandlerCalled();
    }

    [Fact]
    public async Task DispatchAsync_UnknownActionInBase64_DeadLettersTheBase64TextUnchanged()
    {
        var body = "  " + Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"action":"Generate_Report","report_id":"r1"}""")) + "\n";

        await Dispatch(body);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.UnknownAction, envelope.Reason);
        Assert.Equal(body, envelope.OriginalBody);
        Assert.Equal("Generate_Report", envelope.Action);
        AssertNoHandlerCalled();
    }

    [Fact]
    public async Task DispatchAsync_UnknownAction_LogsWarning1001WithReason()
    {
        await Dispatch("""{"action":"Generate_Report"}""");

        var warning = Assert.Single(Logs, r => r.Id.Id == 1001);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("MessageDeadLettered", warning.Id.Name);
        Assert.Equal(FailureReasons.UnknownAction, warning.GetStructuredStateValue("Reason"));
        Assert.Equal("work-items-poison", warning.GetStructuredStateValue("DeadLetterQueue"));
        Assert.DoesNotContain(Logs, r => r.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("not json!", FailureReasons.InvalidJson)]
    [InlineData("[1]", FailureReasons.NotAnObject)]
    [InlineData("""{"report_id":"r1"}""", FailureReasons.MissingAction)]
    [InlineData(" ", FailureReasons.EmptyMessage)]
    public async Task DispatchAsync_UnreadableMessage_DeadLettersWithReasonAndNoAction(string body, string reason)
    {
        await Dispatch(body);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(reason, envelope.Reason);
        Assert.Null(envelope.Action);
        Assert.Equal(body, envelope.OriginalBody);
        Assert.Equal(Start, envelope.FailedAt);
        AssertNoHandlerCalled();
    }

    [Theory]
    [InlineData("""{"action":"generate_report"}""", FailureReasons.MissingField)]
    [InlineData("""{"action":"generate_report","report_id":"../etc"}""", FailureReasons.InvalidField)]
    [InlineData("""{"action":"generate_report","report_id":42}""", FailureReasons.InvalidField)]
    [InlineData("""{"action":"send_notification","message":"hi"}""", FailureReasons.MissingField)]
    public async Task DispatchAsync_InvalidAction_DeadLettersWithReasonAndAction(string body, string reason)
    {
        await Dispatch(body);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(reason, envelope.Reason);
        Assert.NotNull(envelope.Action);
        AssertNoHandlerCalled();
    }

    public static TheoryData<Exception> TransientFailures => new()
    {
        new IOException("connection reset"),
        new RequestFailedException(503, "Server busy", "ServerBusy", null),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task DispatchAsync_HandlerThrows_PropagatesSameExceptionAndDeadLettersNothing(Exception failure)
    {
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Dispatch("""{"action":"generate_report","report_id":"r1"}"""));

        Assert.Same(failure, thrown);
        deadLetters.VerifyNoOtherCalls();
        var error = Assert.Single(Logs, r => r.Id.Id == 1002);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Same(failure, error.Exception);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1000);
    }

    [Fact]
    public async Task DispatchAsync_DeadLetterSinkThrows_PropagatesSoThePlatformRetries()
    {
        var failure = new RequestFailedException(500, "Internal error");
        deadLetters.Setup(d => d.SendAsync(It.IsAny<DeadLetterEnvelope>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => Dispatch("""{"action":"nope"}"""));

        Assert.Same(failure, thrown);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1001);
        Assert.Same(failure, Assert.Single(Logs, r => r.Id.Id == 1002).Exception);
    }

    [Fact]
    public async Task DispatchAsync_HandlerThrowsOnLastAttempt_ParksBodyWithExceptionAsReason()
    {
        const string body = """{"action":"generate_report","report_id":"r1"}""";
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("disk on fire"));

        await Dispatch(body, "msg-last", dequeueCount: new DispatchOptions().MaxDequeueCount);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.RetriesExhausted, envelope.Reason);
        Assert.Equal(body, envelope.OriginalBody);
        Assert.Equal("generate_report", envelope.Action);
        Assert.Equal(5, envelope.DequeueCount);
        Assert.Contains("attempt 5 of 5", envelope.Description, StringComparison.Ordinal);
        Assert.Contains("System.IO.IOException: disk on fire", envelope.Description, StringComparison.Ordinal);
        var error = Assert.Single(Logs, r => r.Id.Id == 1003);
        Assert.IsType<IOException>(error.Exception);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1002);
    }

    [Theory]
    [InlineData("""{"action":"nope"}""", 1001, "nope")]
    [InlineData("""{"action":"generate_report","report_id":"r1"}""", 1002, "generate_report")]
    [InlineData("""{"action":"generate_report","report_id":"r1"}""", 1003, "generate_report")]
    public async Task DispatchAsync_FailureEvents_CarryTheActionInTheirScope(string body, int eventId, string action)
    {
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("disk on fire"));
        var lastAttempt = new DispatchOptions().MaxDequeueCount;

        await Record.ExceptionAsync(() => Dispatch(body, dequeueCount: eventId == 1003 ? lastAttempt : 1));

        var record = Assert.Single(Logs, r => r.Id.Id == eventId);
        Assert.Contains(ScopeValues(record), pair => pair.Key == "Action" && Equals(pair.Value, action));
        Assert.Contains(ScopeValues(record), pair => pair.Key == "MessageId" && Equals(pair.Value, "msg-42"));
    }

    [Fact]
    public async Task DispatchAsync_ValidTraceparent_ReachesTheHandlerInItsContext()
    {
        const string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        ActionContext? seen = null;
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .Callback<GenerateReportAction, ActionContext, CancellationToken>((_, context, _) => seen = context)
            .Returns(Task.CompletedTask);

        await Dispatch($$"""{"action":"generate_report","report_id":"r1","traceparent":"{{traceparent}}","tracestate":"k=v"}""");

        Assert.Equal(new FunctionsApp.Telemetry.MessageTraceContext(traceparent, "k=v"), seen!.Trace);
    }

    [Fact]
    public async Task DispatchAsync_InvalidTraceparent_LogsDebug1005EscapedAndProcessesTheMessage()
    {
        await Dispatch("""{"action":"generate_report","report_id":"r1","traceparent":"00-x\nFAKE LINE"}""");

        var ignored = Assert.Single(Logs, r => r.Id.Id == 1005);
        Assert.Equal(LogLevel.Debug, ignored.Level);
        Assert.Equal("TraceContextIgnored", ignored.Id.Name);
        Assert.DoesNotContain("\n", ignored.Message, StringComparison.Ordinal);
        Assert.Contains("00-x\\u000AFAKE LINE", ignored.Message, StringComparison.Ordinal);
        Assert.Single(Logs, r => r.Id.Id == 1000);
        reports.Verify(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.Is<ActionContext>(c => c.Trace == null), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Empty(envelopes);
    }

    [Fact]
    public async Task DispatchAsync_InvocationCancelledBeforeTheLastAttempt_PropagatesParksNothingAndLogs1004()
    {
        using var cancellation = new CancellationTokenSource();
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .Returns<GenerateReportAction, ActionContext, CancellationToken>((_, _, token) =>
            {
                cancellation.Cancel();
                return Task.FromCanceled(token);
            });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Dispatch("""{"action":"generate_report","report_id":"r1"}""", dequeueCount: 4, cancellationToken: cancellation.Token));

        Assert.Empty(envelopes);
        var cancelled = Assert.Single(Logs, r => r.Id.Id == 1004);
        Assert.Equal("MessageCancelled", cancelled.Id.Name);
        Assert.DoesNotContain(Logs, r => r.Id.Id is 1002 or 1003);
    }

    [Fact]
    public async Task DispatchAsync_InvocationCancelledOnLastAttempt_ParksAsRetriesExhaustedWithAWriteOfItsOwn()
    {
        // A timeout (or a stop) on the last attempt: the platform would move the bare body with no
        // reason, so the app parks it, with a token that is not the cancelled one.
        using var cancellation = new CancellationTokenSource();
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .Returns<GenerateReportAction, ActionContext, CancellationToken>((_, _, token) =>
            {
                cancellation.Cancel();
                return Task.FromCanceled(token);
            });
        CancellationToken parkedWith = default;
        deadLetters.Setup(d => d.SendAsync(It.IsAny<DeadLetterEnvelope>(), It.IsAny<CancellationToken>()))
            .Callback<DeadLetterEnvelope, CancellationToken>((e, token) =>
            {
                envelopes.Add(e);
                parkedWith = token;
            })
            .Returns(Task.CompletedTask);

        await Dispatch("""{"action":"generate_report","report_id":"r1"}""", dequeueCount: 5, cancellationToken: cancellation.Token);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.RetriesExhausted, envelope.Reason);
        Assert.StartsWith("Cancelled by the host on attempt 5 of 5", envelope.Description, StringComparison.Ordinal);
        Assert.False(parkedWith.IsCancellationRequested);
        Assert.Single(Logs, r => r.Id.Id == 1003);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1004);
    }

    [Fact]
    public async Task DispatchAsync_HandlersOwnTimeoutOnLastAttempt_ParksAsRetriesExhaustedWithItsReason()
    {
        // An HttpClient time-out: a TaskCanceledException although nobody cancelled the invocation.
        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.");
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(timeout);
        using var invocation = new CancellationTokenSource();

        await Dispatch("""{"action":"generate_report","report_id":"r1"}""", dequeueCount: 5, cancellationToken: invocation.Token);

        var envelope = Assert.Single(envelopes);
        Assert.Equal(FailureReasons.RetriesExhausted, envelope.Reason);
        Assert.Contains("System.Threading.Tasks.TaskCanceledException", envelope.Description, StringComparison.Ordinal);
        Assert.Contains("HttpClient.Timeout", envelope.Description, StringComparison.Ordinal);
        Assert.Same(timeout, Assert.Single(Logs, r => r.Id.Id == 1003).Exception);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1004);
    }

    [Fact]
    public async Task DispatchAsync_HandlersOwnTimeoutBeforeLastAttempt_LogsFailure1002AndRethrows()
    {
        var timeout = new TaskCanceledException("HttpClient.Timeout elapsed");
        reports.Setup(h => h.HandleAsync(It.IsAny<GenerateReportAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(timeout);

        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(
            () => Dispatch("""{"action":"generate_report","report_id":"r1"}""", dequeueCount: 2));

        Assert.Same(timeout, thrown);
        Assert.Empty(envelopes);
        Assert.Same(timeout, Assert.Single(Logs, r => r.Id.Id == 1002).Exception);
        Assert.DoesNotContain(Logs, r => r.Id.Id == 1004);
    }

    [Fact]
    public async Task DispatchAsync_DeadLetter_PassesCancellationTokenToSink()
    {
        using var cancellation = new CancellationTokenSource();

        await Dispatch("""{"action":"nope"}""", cancellationToken: cancellation.Token);

        deadLetters.Verify(d => d.SendAsync(It.IsAny<DeadLetterEnvelope>(), cancellation.Token), Times.Once);
    }

    [Fact]
    public async Task DispatchAsync_Success_LogsInScopeWithMessageIdDequeueCountAndAction()
    {
        await Dispatch("""{"action":"generate_report","report_id":"r1"}""", "msg-42", 3);

        var processed = Assert.Single(Logs, r => r.Id.Id == 1000);
        var values = ScopeValues(processed).ToList();
        Assert.Contains(new KeyValuePair<string, object?>("MessageId", "msg-42"), values);
        Assert.Contains(new KeyValuePair<string, object?>("DequeueCount", 3L), values);
        Assert.Contains(new KeyValuePair<string, object?>("Action", "generate_report"), values);
    }

    [Fact]
    public async Task DispatchAsync_DeadLetter_LogsInScopeWithMessageIdAndDequeueCount()
    {
        await Dispatch("not json", "msg-9", 5);

        var warning = Assert.Single(Logs, r => r.Id.Id == 1001);
        var values = ScopeValues(warning).ToList();
        Assert.Contains(new KeyValuePair<string, object?>("MessageId", "msg-9"), values);
        Assert.Contains(new KeyValuePair<string, object?>("DequeueCount", 5L), values);
    }

    [Fact]
    public async Task DispatchAsync_HandlerFailure_LogsInScopeWithMessageIdAndDequeueCount()
    {
        notifications.Setup(h => h.HandleAsync(It.IsAny<SendNotificationAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("down"));

        await Assert.ThrowsAsync<IOException>(() => Dispatch("""{"action":"send_notification","user_id":"u1"}""", "msg-5", 2));

        var error = Assert.Single(Logs, r => r.Id.Id == 1002);
        var values = ScopeValues(error).ToList();
        Assert.Contains(new KeyValuePair<string, object?>("MessageId", "msg-5"), values);
        Assert.Contains(new KeyValuePair<string, object?>("DequeueCount", 2L), values);
    }

    public static TheoryData<string> MessagesCarryingText => new()
    {
        "{\"action\":\"send_notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText + "\"}",
        "{\"action\":\"send_notification\",\"message\":\"" + SecretText + "\"}",
        "{\"action\":\"send_notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText + "\",\"idempotency_key\":7}",
        "{\"action\":\"send_notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText + new string('!', 1000) + "\"}",
        "{\"action\":\"send_notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText,
        "{\"action\":\"Send_Notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText + "\"}",
    };

    [Theory]
    [MemberData(nameof(MessagesCarryingText))]
    public async Task DispatchAsync_AnyOutcome_NeverLogsNotificationText(string body)
    {
        await Dispatch(body);

        Assert.NotEmpty(Logs);
        foreach (var record in Logs)
        {
            Assert.DoesNotContain("biopsy", record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(record.StructuredState ?? [], pair => pair.Value?.Contains("biopsy", StringComparison.Ordinal) == true);
            Assert.DoesNotContain(ScopeValues(record), pair => pair.Value?.ToString()?.Contains("biopsy", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task DispatchAsync_HandlerFailsOnNotification_NeverLogsNotificationText()
    {
        notifications.Setup(h => h.HandleAsync(It.IsAny<SendNotificationAction>(), It.IsAny<ActionContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("down"));

        await Assert.ThrowsAsync<IOException>(() =>
            Dispatch("{\"action\":\"send_notification\",\"user_id\":\"u1\",\"message\":\"" + SecretText + "\"}"));

        Assert.All(Logs, record => Assert.DoesNotContain("biopsy", record.Message, StringComparison.Ordinal));
    }
}
