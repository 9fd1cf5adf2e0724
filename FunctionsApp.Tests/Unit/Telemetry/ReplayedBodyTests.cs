using System.Text;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Replay;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Tests.Unit.Telemetry;

public sealed class ReplayedBodyTests
{
    private const string Traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string ParkedId = "2f1c5a44-8d3e-4b6f-9a1e-5c7d2b8e9f01";
    private static readonly MessageTraceContext Trace = new(Traceparent, null);

    [Fact]
    public void WithTraceContext_ObjectWithout_AppendsItAndKeepsTheRestOfTheText()
    {
        const string body = """{ "action": "send_notification", "user_id": "u-7" }""";

        var replayed = ReplayedBody.For(body, Trace, null);

        Assert.Equal("""{ "action": "send_notification", "user_id": "u-7" ,"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""", replayed);
    }

    [Fact]
    public void WithTraceContext_EmptyObject_GetsOnlyTheContext()
    {
        using var replayed = JsonDocument.Parse(ReplayedBody.For("{ }", Trace, null));

        Assert.Equal(Traceparent, replayed.RootElement.GetProperty("traceparent").GetString());
        Assert.Single(replayed.RootElement.EnumerateObject());
    }

    [Fact]
    public void WithTraceContext_Tracestate_IsWrittenAsAJsonStringEvenWithQuotes()
    {
        var replayed = ReplayedBody.For("""{"action":"x"}""", new MessageTraceContext(Traceparent, "a=\"b\\c\""), null);

        using var document = JsonDocument.Parse(replayed);
        Assert.Equal("a=\"b\\c\"", document.RootElement.GetProperty("tracestate").GetString());
    }

    [Theory]
    [InlineData("""{"action":"x","traceparent":"00-11111111111111111111111111111111-2222222222222222-01"}""")]
    [InlineData("""{"action":"x","traceparent":"garbage"}""")]
    [InlineData("not json")]
    [InlineData("""["action"]""")]
    [InlineData("""{"action":"x","action":"y"}""")]
    [InlineData("eyJhY3Rpb24iOiJ4In0")]
    [InlineData("WyJ4Il0=")]
    public void WithTraceContext_BodiesItCannotOrNeedNotChange_GoBackByteForByte(string body)
    {
        Assert.Same(body, ReplayedBody.For(body, Trace, null));
    }

    [Fact]
    public void WithTraceContext_NoContext_ChangesNothing()
    {
        const string body = """{"action":"x"}""";

        Assert.Same(body, ReplayedBody.For(body, null, null));
    }

    [Fact]
    public void WithTraceContext_BodyNearTheQueueLimit_GoesBackWithoutIt()
    {
        var padding = DispatchOptions.QueueMessageLimitBytes - """{"action":"x","pad":""}""".Length - 10;
        var body = $$"""{"action":"x","pad":"{{new string('p', padding)}}"}""";

        var replayed = ReplayedBody.For(body, Trace, null);

        Assert.Same(body, replayed);
        Assert.True(Encoding.UTF8.GetByteCount(body) <= DispatchOptions.QueueMessageLimitBytes);
    }

    [Fact]
    public void For_Base64Object_GoesBackAsBase64WithTheContext()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"action":"x"}"""));

        var replayed = ReplayedBody.For(body, Trace, null);

        Assert.Equal($$"""{"action":"x","traceparent":"{{Traceparent}}"}""", Encoding.UTF8.GetString(Convert.FromBase64String(replayed)));
    }

    [Fact]
    public void For_NotificationWithoutKey_GetsTheParkedMessageIdAsItsKey()
    {
        const string body = """{"action":"send_notification","user_id":"u-7"}""";

        var replayed = ReplayedBody.For(body, null, ParkedId);

        Assert.Equal($$"""{"action":"send_notification","user_id":"u-7","idempotency_key":"{{ParkedId}}"}""", replayed);
    }

    [Fact]
    public void For_NotificationWithoutKey_GetsKeyAndContext()
    {
        var replayed = ReplayedBody.For("""{"action":"send_notification","user_id":"u-7"}""", Trace, ParkedId);

        using var document = JsonDocument.Parse(replayed);
        Assert.Equal(ParkedId, document.RootElement.GetProperty("idempotency_key").GetString());
        Assert.Equal(Traceparent, document.RootElement.GetProperty("traceparent").GetString());
    }

    [Theory]
    [InlineData("""{"action":"send_notification","user_id":"u-7","idempotency_key":"mine"}""")]
    [InlineData("""{"action":"send_notification","user_id":"u-7","idempotency_key":null}""")]
    [InlineData("""{"action":"generate_report","report_id":"r-1"}""")]
    [InlineData("""{"action":"Send_Notification","user_id":"u-7"}""")]
    public void For_NoNotificationOrKeyPresent_AddsNoKey(string body)
    {
        Assert.Same(body, ReplayedBody.For(body, null, ParkedId));
    }

    [Fact]
    public void For_NotificationNearTheQueueLimit_KeepsTheKeyAndLeavesTheContextOut()
    {
        var head = """{"action":"send_notification","user_id":"u-7","pad":""}""";
        var padding = DispatchOptions.QueueMessageLimitBytes - head.Length - $",\"idempotency_key\":\"{ParkedId}\"".Length - 1;
        var body = $$"""{"action":"send_notification","user_id":"u-7","pad":"{{new string('p', padding)}}"}""";

        var replayed = ReplayedBody.For(body, Trace, ParkedId);

        Assert.EndsWith($$""","idempotency_key":"{{ParkedId}}"}""", replayed, StringComparison.Ordinal);
        Assert.DoesNotContain("traceparent", replayed, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(replayed) <= DispatchOptions.QueueMessageLimitBytes);
    }
}
