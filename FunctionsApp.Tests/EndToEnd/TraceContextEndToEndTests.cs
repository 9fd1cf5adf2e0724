using FunctionsApp.Telemetry;
using FunctionsHost.Logging;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// Traces through the real worker: with the console exporter turned on by an app setting, the
/// spans the worker writes to its stdout show a message's dispatch span in the trace its
/// <c>traceparent</c> names, and a message without one in a trace of its own, under the worker's
/// span of the invocation.
/// </summary>
[Trait("Category", "Telemetry")]
public sealed class TraceContextEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string ProducerTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ProducerSpanId = "b7ad6b7169203331";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task QueueMessages_DispatchSpanContinuesTheTraceparentOrStartsANewTraceUnderTheInvocation()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output,
            extraSettings: new Dictionary<string, string> { [TelemetrySetup.TracesExporterSetting] = "console" });
        var traced = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            $$"""{"action":"generate_report","report_id":"r-{{Guid.NewGuid():N}}","traceparent":"00-{{ProducerTraceId}}-{{ProducerSpanId}}-01"}""");
        var untraced = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            $$"""{"action":"generate_report","report_id":"r-{{Guid.NewGuid():N}}"}""");

        var tracedSpan = await DispatchSpanAsync(app, traced);
        var untracedSpan = await DispatchSpanAsync(app, untraced);

        Assert.Equal(ProducerTraceId, tracedSpan.TraceId);
        Assert.Equal(ProducerSpanId, tracedSpan.ParentSpanId);
        Assert.Equal("processed", tracedSpan.Tags[AppTelemetry.OutcomeTag]);
        Assert.Equal("generate_report", tracedSpan.Tags[AppTelemetry.ActionTag]);

        Assert.NotEqual(ProducerTraceId, untracedSpan.TraceId);
        var spans = ConsoleSpan.Parse(app.Host.Logs.Snapshot());
        var invocation = Assert.Single(spans, s => s.Source == TelemetrySetup.WorkerSource && s.SpanId == untracedSpan.ParentSpanId);
        Assert.Equal(untracedSpan.TraceId, invocation.TraceId);
        // The report upload, as the Azure SDK traces it, is a child of the dispatch span.
        Assert.Contains(spans, s => s.TraceId == ProducerTraceId && s.ParentSpanId == tracedSpan.SpanId && s.Source.StartsWith("Azure.", StringComparison.Ordinal));
    }

    private static async Task<ConsoleSpan> DispatchSpanAsync(AppUnderTest app, string messageId) =>
        await Poll.UntilAsync(
            () =>
            {
                var span = ConsoleSpan.Parse(app.Host.Logs.Snapshot())
                    .FirstOrDefault(s => s.Source == AppTelemetry.Name && s.Tags.GetValueOrDefault(AppTelemetry.MessageIdTag) == messageId);
                return Task.FromResult((span, "no dispatch span for it on the worker's stdout"));
            },
            Timeout,
            $"the dispatch span of message {messageId}");

    /// <summary>A span as the OpenTelemetry console exporter writes it, one field a line.</summary>
    private sealed record ConsoleSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Source, Dictionary<string, string> Tags)
    {
        public static IReadOnlyList<ConsoleSpan> Parse(IReadOnlyList<WorkerLogEntry> logs)
        {
            var spans = new List<ConsoleSpan>();
            Dictionary<string, string>? fields = null;
            Dictionary<string, string> tags = [];
            string? section = null;
            foreach (var line in logs.Where(l => l.Source == WorkerLogSource.Stdout).Select(l => l.Message))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("Activity.TraceId:", StringComparison.Ordinal))
                {
                    Add();
                    fields = [];
                    tags = [];
                    section = null;
                }

                if (fields is null || trimmed.Length == 0)
                {
                    continue;
                }

                // Fields start the line; the tags and the scope's name under them are indented.
                if (!char.IsWhiteSpace(line[0]))
                {
                    var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
                    section = colon < 0 ? trimmed : trimmed[..colon];
                    if (colon > 0 && colon < trimmed.Length - 1)
                    {
                        fields[section] = trimmed[(colon + 1)..].Trim();
                    }
                }
                else
                {
                    var colon = trimmed.IndexOf(": ", StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        var (key, value) = (trimmed[..colon], trimmed[(colon + 2)..]);
                        if (section == "Activity.Tags")
                        {
                            tags[key] = value;
                        }
                        else if (section?.StartsWith("Instrumentation scope", StringComparison.Ordinal) == true && key == "Name")
                        {
                            fields["Source"] = value;
                        }
                    }
                }
            }

            Add();
            return spans;

            void Add()
            {
                if (fields is not null && fields.TryGetValue("Activity.TraceId", out var traceId) && fields.TryGetValue("Activity.SpanId", out var spanId))
                {
                    spans.Add(new ConsoleSpan(traceId, spanId, fields.GetValueOrDefault("Activity.ParentSpanId"),
                        fields.GetValueOrDefault("Activity.DisplayName", ""), fields.GetValueOrDefault("Source", ""), tags));
                }
            }
        }
    }
}
