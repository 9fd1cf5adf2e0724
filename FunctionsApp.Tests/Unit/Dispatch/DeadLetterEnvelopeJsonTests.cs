using System.Text.Json;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Unit.Dispatch;

public sealed class DeadLetterEnvelopeJsonTests
{
    [Fact]
    public void Serialize_EnvelopeHoldingJson_KeepsQuotesReadableAndRoundTrips()
    {
        var envelope = new DeadLetterEnvelope("unknown_action", "The action 'x' is not known.", "m1", 1,
            new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), "x", """{"action":"x","note":"<b>&"}""");

        var json = JsonSerializer.Serialize(envelope, DispatchJsonContext.Envelope.DeadLetterEnvelope);

        Assert.Contains("""
            "original_body":"{\"action\":\"x\",\"note\":\"<b>&\"}"
            """, json, StringComparison.Ordinal);
        Assert.Contains("'x'", json, StringComparison.Ordinal);
        Assert.Equal(envelope, JsonSerializer.Deserialize(json, DispatchJsonContext.Envelope.DeadLetterEnvelope));
    }
}
