using System.Text;
using System.Text.Json;
using FunctionsApp.Dispatch;
using FunctionsApp.Replay;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Tests.Unit.Telemetry;

public sealed class ReplayedBodyTests
{
    private const string Traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static readonly MessageTraceContext Trace = new(Traceparent, null);

    [Fact]
    public void WithTraceContext_ObjectWithout_AppendsItAndKeepsTheRestOfTheText()
    {
        const string body = """{ "action": "send_notification", "user_id": "u-7" }""";

        var replayed = ReplayedBody.WithTraceContext(body, Trace);

        Assert.Equal("""{ "action": "send_notification", "user_id": "u-7" ,"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""", replayed);
    }

    [Fact]
    public void WithTraceContext_EmptyObject_GetsOnlyTheContext()
    {
        using var replayed = JsonDocument.Parse(ReplayedBody.WithTraceContext("{ }", Trace));

        Assert.Equal(Traceparent, replayed.RootElement.GetProperty("traceparent").GetString());
        Assert.Single(replayed.RootElement.EnumerateObject());
    }

    [Fact]
    public void WithTraceContext_Tracestate_IsWrittenAsAJsonStringEvenWithQuotes()
    {
        var replayed = ReplayedBody.WithTraceContext("""{"action":"x"}""", new MessageTraceContext(Traceparent, "a=\"b\\c\""));

        using var document = JsonDocument.Parse(replayed);
        Assert.Equal("a=\"b\\c\"", document.RootElement.GetProperty("tracestate").GetString());
    }

    [Theory]
    [InlineData("""{"action":"x","traceparent":"00-11111111111111111111111111111111-2222222222222222-01"}""")]
    [InlineData("""{"action":"x","traceparent":"garbage"}""")]
    [InlineData("not json")]
    [InlineData("""["action"]""")]
    [InlineData("""{"action":"x","action":"y"}""")]
    [InlineData("eyJhY3Rpb24iOiJ4In0=")]
    public void WithTraceContext_BodiesItCannotOrNeedNotChange_GoBackByteForByte(string body)
    {
        Assert.Same(body, ReplayedBody.WithTraceContext(body, Trace));
    }

    [Fact]
    public void WithTraceContext_NoContext_ChangesNothing()
    {
        const string body = """{"action":"x"}""";

        Assert.Same(body, ReplayedBody.WithTraceContext(body, null));
    }

    [Fact]
    public void WithTraceContext_BodyNearTheQueueLimit_GoesBackWithoutIt()
    {
        var padding = DispatchOptions.QueueMessageLimitBytes - """{"action":"x","pad":""}""".Length - 10;
        var body = $$"""{"action":"x","pad":"{{new string('p', padding)}}"}""";

        var replayed = ReplayedBody.WithTraceContext(body, Trace);

        Assert.Same(body, replayed);
        Assert.True(Encoding.UTF8.GetByteCount(body) <= DispatchOptions.QueueMessageLimitBytes);
    }
}
