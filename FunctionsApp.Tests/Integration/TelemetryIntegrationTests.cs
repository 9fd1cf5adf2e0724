using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FunctionsApp.Functions;
using FunctionsApp.Replay;
using FunctionsApp.Telemetry;
using FunctionsApp.Tests.Infrastructure;
using FunctionsApp.Tests.Unit.Functions;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// What the app emits, through its own OpenTelemetry setup with in-memory exporters, against
/// Azurite: the dispatch span per outcome, trace context from a message and onward, and every metric.
/// </summary>
[Collection(TelemetryTests.Name)]
[Trait("Category", "Telemetry")]
public sealed class TelemetryIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string ProducerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ProducerSpanId = "00f067aa0ba902b7";
    private const string Traceparent = $"00-{ProducerTraceId}-{ProducerSpanId}-01";

    // Stands in for the worker's own span per invocation, which the dispatch span sits under.
    private static readonly ActivitySource Invocations = new(TelemetrySetup.WorkerSource);

    private readonly TelemetryCapture telemetry = new();
    private InProcessApp app = null!;

    public Task InitializeAsync()
    {
        app = new InProcessApp(azurite, configureServices: telemetry.Register);
        telemetry.Start(app.GetRequiredService<IServiceProvider>());
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task Processed_WithTraceparent_SpanContinuesTheProducersTraceWithItsTagsAndStorageCallsAsChildren()
    {
        using (Invocations.StartActivity("function ProcessWorkItem"))
        {
            await app.ProcessAsync($$"""{"action":"generate_report","report_id":"t-1","traceparent":"{{Traceparent}}"}""", "m-1", dequeueCount: 2);
        }

        var span = telemetry.DispatchSpan("m-1");
        Assert.Equal($"process {app.Storage.WorkItemsQueue}", span.DisplayName);
        Assert.Equal(ActivityKind.Consumer, span.Kind);
        Assert.Equal(ProducerTraceId, span.TraceId.ToHexString());
        Assert.Equal(ProducerSpanId, span.ParentSpanId.ToHexString());
        var invocation = Assert.Single(telemetry.Spans, s => s.Source.Name == TelemetrySetup.WorkerSource);
        Assert.Equal(invocation.Context, Assert.Single(span.Links).Context);
        Assert.Equal("generate_report", span.GetTagItem(AppTelemetry.ActionTag));
        Assert.Equal(2L, span.GetTagItem(AppTelemetry.DequeueCountTag));
        Assert.Equal(app.Storage.WorkItemsQueue, span.GetTagItem(AppTelemetry.DestinationTag));
        Assert.Equal("process", span.GetTagItem(AppTelemetry.OperationNameTag));
        Assert.Equal(AppTelemetry.Outcomes.Processed, span.GetTagItem(AppTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        // The report upload, as the Azure SDK traces it, inside the dispatch span's subtree.
        Assert.Contains(telemetry.Spans, s => s.Source.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal) && s.ParentSpanId == span.SpanId);
        Assert.True((await app.Reports.GetBlobClient("t-1.json").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Processed_WithoutTraceparent_SpanIsAChildOfTheInvocation()
    {
        Activity invocation;
        using (invocation = Invocations.StartActivity("function ProcessWorkItem")!)
        {
            await app.ProcessAsync("""{"action":"generate_report","report_id":"t-2"}""", "m-2");
        }

        var span = telemetry.DispatchSpan("m-2");
        Assert.Equal(invocation.TraceId, span.TraceId);
        Assert.Equal(invocation.SpanId, span.ParentSpanId);
        Assert.Empty(span.Links);
    }

    [Theory]
    [InlineData("\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7\"")]
    [InlineData("\"00-00000000000000000000000000000000-00f067aa0ba902b7-01\"")]
    [InlineData("\"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01\"")]
    [InlineData("\"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"")]
    [InlineData("42")]
    [InlineData("{\"trace\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}")]
    [InlineData("\"\\ud800\"")]
    public async Task Processed_InvalidTraceparent_IsIgnoredAndTheMessageIsStillProcessedInANewTrace(string traceparentJson)
    {
        await app.ProcessAsync($$"""{"action":"generate_report","report_id":"t-3","traceparent":{{traceparentJson}}}""", "m-3");

        var span = telemetry.DispatchSpan("m-3");
        Assert.NotEqual(ProducerTraceId, span.TraceId.ToHexString());
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal(AppTelemetry.Outcomes.Processed, span.GetTagItem(AppTelemetry.OutcomeTag));
        Assert.True((await app.Reports.GetBlobClient("t-3.json").ExistsAsync()).Value);
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task DeadLettered_SpanSaysWhyAndTheEnvelopeKeepsTheSpansContext()
    {
        await app.ProcessAsync($$"""{"action":"archive","traceparent":"{{Traceparent}}","tracestate":"vendor=abc"}""", "m-4");

        var span = telemetry.DispatchSpan("m-4");
        Assert.Equal(AppTelemetry.Outcomes.DeadLettered, span.GetTagItem(AppTelemetry.OutcomeTag));
        Assert.Equal("unknown_action", span.GetTagItem(AppTelemetry.ReasonTag));
        Assert.Equal("unknown_action", span.GetTagItem(AppTelemetry.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("archive", span.GetTagItem(AppTelemetry.ActionTag));
        using var envelope = JsonDocument.Parse((await app.DeadLetters.PeekOrNullAsync())!);
        Assert.Equal($"00-{ProducerTraceId}-{span.SpanId.ToHexString()}-01", envelope.RootElement.GetProperty("traceparent").GetString());
        Assert.Equal("vendor=abc", envelope.RootElement.GetProperty("tracestate").GetString());
    }

    [Fact]
    public async Task SendNotification_OutboxMessageCarriesTheContextOnward()
    {
        await app.ProcessAsync($$"""{"action":"send_notification","user_id":"u-7","traceparent":"{{Traceparent}}"}""", "m-5");

        var span = telemetry.DispatchSpan("m-5");
        using var notification = JsonDocument.Parse((await app.Outbox.PeekOrNullAsync())!);
        Assert.Equal($"00-{ProducerTraceId}-{span.SpanId.ToHexString()}-01", notification.RootElement.GetProperty("traceparent").GetString());
    }

    [Fact]
    public async Task FailedAttempts_SpanIsAnErrorAndTheLastOneIsDeadLetteredAsRetriesExhausted()
    {
        // Listeners are process-wide: this test's capture sees the second app's spans and metrics too.
        await using var broken = new InProcessApp(azurite, blobUnreachable: true);
        var body = $$"""{"action":"generate_report","report_id":"t-6","traceparent":"{{Traceparent}}"}""";

        await Assert.ThrowsAnyAsync<Exception>(() => broken.ProcessAsync(body, "m-7", dequeueCount: 1));
        await broken.ProcessAsync(body, "m-8", dequeueCount: 5);

        var failed = telemetry.DispatchSpan("m-7");
        Assert.Equal(AppTelemetry.Outcomes.Failed, failed.GetTagItem(AppTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.NotNull(failed.GetTagItem(AppTelemetry.ErrorTypeTag));
        Assert.Contains(failed.Events, e => e.Name == "exception");
        var exhausted = telemetry.DispatchSpan("m-8");
        Assert.Equal(AppTelemetry.Outcomes.DeadLettered, exhausted.GetTagItem(AppTelemetry.OutcomeTag));
        Assert.Equal("retries_exhausted", exhausted.GetTagItem(AppTelemetry.ReasonTag));

        Assert.Equal(2, telemetry.Sum(AppMetrics.Names.FailedAttempts, (AppTelemetry.ActionTag, "generate_report")));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.RetriesExhausted, (AppTelemetry.ActionTag, "generate_report")));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.DeadLettered, (AppTelemetry.ReasonTag, "retries_exhausted")));
        Assert.Equal(2, telemetry.Sum(AppMetrics.Names.HandlerDuration, (AppTelemetry.ActionTag, "generate_report"), (AppTelemetry.OutcomeTag, "failed")));
    }

    [Fact]
    public async Task Metrics_CountEveryOutcomeWithTheirUnits()
    {
        await app.ProcessAsync("""{"action":"generate_report","report_id":"t-7"}""");
        await app.ProcessAsync("""{"action":"generate_report","report_id":"t-7"}""");
        await app.ProcessAsync("""{"action":"send_notification","user_id":"u-1","idempotency_key":"k-1"}""");
        await app.ProcessAsync("""{"action":"send_notification","user_id":"u-1","idempotency_key":"k-1"}""");
        await app.ProcessAsync("""{"action":"no_such_action"}""");
        await app.ProcessAsync("""{"action":"generate_report"}""");
        await app.ProcessAsync("not json");
        var hello = app.GetRequiredService<IServiceProvider>().CreateScope();
        var function = ActivatorUtilities.CreateInstance<HelloFunction>(hello.ServiceProvider);
        await function.Run(TestHttpRequest.Create("GET", "http://localhost/api/hello?name=Ada"), CancellationToken.None);
        await function.Run(TestHttpRequest.Create("POST", "http://localhost/api/hello", new MemoryStream(Encoding.UTF8.GetBytes("{")), "application/json"), CancellationToken.None);
        hello.Dispose();
        await app.WorkQueue.CreateIfNotExistsAsync();
        var replay = await app.GetRequiredService<IDeadLetterReplayer>().ReplayAsync("missing_field", 10, CancellationToken.None);

        Assert.Equal(4, telemetry.Sum(AppMetrics.Names.Processed));
        Assert.Equal(2, telemetry.Sum(AppMetrics.Names.Processed, (AppTelemetry.ActionTag, "generate_report")));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.ReportsAlreadyExisting));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.DuplicatesSuppressed));
        Assert.Equal(3, telemetry.Sum(AppMetrics.Names.DeadLettered));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.DeadLettered, (AppTelemetry.ReasonTag, "unknown_action"), (AppTelemetry.ActionTag, AppTelemetry.OtherAction)));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.DeadLettered, (AppTelemetry.ReasonTag, "missing_field"), (AppTelemetry.ActionTag, "generate_report")));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.DeadLettered, (AppTelemetry.ReasonTag, "invalid_json")));
        Assert.Equal(0, telemetry.Sum(AppMetrics.Names.FailedAttempts));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.Greetings, (AppTelemetry.StatusCodeTag, 200)));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.Greetings, (AppTelemetry.StatusCodeTag, 400)));
        Assert.Equal(1, replay.Moved);
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.Replayed, (AppTelemetry.ReasonTag, "missing_field")));
        Assert.Equal(2, telemetry.Sum(AppMetrics.Names.HandlerDuration, (AppTelemetry.ActionTag, "send_notification"), (AppTelemetry.OutcomeTag, "processed")));
        Assert.Equal(1, telemetry.Sum(AppMetrics.Names.HandlerDuration, (AppTelemetry.ActionTag, "generate_report"), (AppTelemetry.OutcomeTag, "dead_lettered")));
        Assert.Equal("{message}", telemetry.Unit(AppMetrics.Names.Processed));
        Assert.Equal("s", telemetry.Unit(AppMetrics.Names.HandlerDuration));
        Assert.Equal("{request}", telemetry.Unit(AppMetrics.Names.Greetings));
    }

    [Fact]
    public async Task Replay_MessageWithoutTraceparent_RejoinsTheTraceItFailedIn()
    {
        // Queue message ids are GUIDs; replay trusts no envelope whose id is not one.
        var failedId = Guid.NewGuid().ToString();
        var replayedId = Guid.NewGuid().ToString();
        await app.ProcessAsync("""{"action":"send_notification","message":"no user"}""", failedId);
        var failedSpan = telemetry.DispatchSpan(failedId);
        await app.WorkQueue.CreateIfNotExistsAsync();

        var report = await app.GetRequiredService<IDeadLetterReplayer>().ReplayAsync(null, 10, CancellationToken.None);
        Assert.Equal(1, report.Moved);
        var replayedBody = (await app.WorkQueue.PeekOrNullAsync())!;
        await app.ProcessAsync(replayedBody, replayedId);

        var replayedSpan = telemetry.DispatchSpan(replayedId);
        Assert.Equal(failedSpan.TraceId, replayedSpan.TraceId);
        Assert.Equal(failedSpan.SpanId, replayedSpan.ParentSpanId);
        Assert.StartsWith("""{"action":"send_notification","message":"no user",""", replayedBody, StringComparison.Ordinal);
    }
}
