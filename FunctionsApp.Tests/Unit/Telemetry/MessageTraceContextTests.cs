using System.Diagnostics;
using System.Text.Json;
using FunctionsApp.Telemetry;

namespace FunctionsApp.Tests.Unit.Telemetry;

public sealed class MessageTraceContextTests
{
    private const string Valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static MessageTraceContext? Read(string json, out string? problem)
    {
        using var document = JsonDocument.Parse(json);
        return MessageTraceContext.Read(document.RootElement, out problem);
    }

    [Fact]
    public void Read_ValidFields_GivesBothAndNoProblem()
    {
        var trace = Read($$"""{"traceparent":"{{Valid}}","tracestate":"congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"}""", out var problem);

        Assert.Equal(new MessageTraceContext(Valid, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), trace);
        Assert.Null(problem);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", trace!.Parent.TraceId.ToHexString());
        Assert.True(trace.Parent.IsRemote);
        Assert.Equal(ActivityTraceFlags.Recorded, trace.Parent.TraceFlags);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"tracestate":"a=b"}""")]
    public void Read_NoTraceparent_GivesNullWithoutAProblem(string json)
    {
        Assert.Null(Read(json, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7\"")]
    [InlineData("\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra\"")]
    [InlineData("\"00-00000000000000000000000000000000-00f067aa0ba902b7-01\"")]
    [InlineData("\"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01\"")]
    [InlineData("\"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01\"")]
    [InlineData("\"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"")]
    [InlineData("\"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01\"")]
    [InlineData("\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz\"")]
    [InlineData("null")]
    [InlineData("7")]
    [InlineData("[\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"]")]
    [InlineData("\"\\ud800\"")]
    public void Read_InvalidTraceparent_GivesNullAndSaysWhy(string traceparentJson)
    {
        Assert.Null(Read($$"""{"traceparent":{{traceparentJson}}}""", out var problem));

        Assert.NotNull(problem);
        Assert.StartsWith("'traceparent' is not a W3C traceparent", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HostileTraceparent_IsQuotedEscapedAndBounded()
    {
        var hostile = "\u001b[31m\r\nFAKE" + new string('x', 5000);

        Read(JsonSerializer.Serialize(new Dictionary<string, string> { ["traceparent"] = hostile }), out var problem);

        Assert.DoesNotContain('\n', problem!);
        Assert.DoesNotContain('\u001b', problem!);
        Assert.True(problem!.Length < 300, $"the problem is {problem.Length} characters long");
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"caf\u00e9=1\"")]
    public void Read_InvalidTracestate_KeepsTheTraceparentWithoutIt(string tracestateJson)
    {
        var trace = Read($$"""{"traceparent":"{{Valid}}","tracestate":{{tracestateJson}}}""", out var problem);

        Assert.Equal(new MessageTraceContext(Valid, null), trace);
        Assert.Contains("tracestate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TracestateOverTheW3CLimit_IsDropped()
    {
        var trace = Read($$"""{"traceparent":"{{Valid}}","tracestate":"a={{new string('b', 511)}}"}""", out var problem);

        Assert.Null(trace!.Tracestate);
        Assert.NotNull(problem);
    }

    [Fact]
    public void Onward_NoCurrentSpan_IsWhatTheMessageBrought()
    {
        var received = new MessageTraceContext(Valid, "a=1");
        Activity.Current = null;

        Assert.Same(received, MessageTraceContext.Onward(received));
        Assert.Null(MessageTraceContext.Onward(null));
    }

    [Fact]
    public void Onward_CurrentSpan_IsThatSpansContext()
    {
        using var span = new Activity("dispatch");
        span.SetIdFormat(ActivityIdFormat.W3C);
        span.SetParentId(ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736"), ActivitySpanId.CreateFromString("00f067aa0ba902b7"), ActivityTraceFlags.Recorded);
        span.TraceStateString = "a=1";
        span.Start();

        var onward = MessageTraceContext.Onward(null);

        Assert.Equal($"00-4bf92f3577b34da6a3ce929d0e0e4736-{span.SpanId.ToHexString()}-01", onward!.Traceparent);
        Assert.Equal("a=1", onward.Tracestate);
        Assert.True(MessageTraceContext.IsTraceparent(onward.Traceparent));
    }
}
