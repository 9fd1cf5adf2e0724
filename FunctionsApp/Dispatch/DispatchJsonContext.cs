using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsApp.Dispatch;

/// <summary>Source-generated JSON for dead-letter envelopes, which the replay and the console read back.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeadLetterEnvelope))]
public sealed partial class DispatchJsonContext : JsonSerializerContext
{
    // Lazy, because the generated half's static initializers (which create Default) are not ordered against ours.
    private static readonly Lazy<DispatchJsonContext> EnvelopeContext = new(CreateEnvelopeContext);

    /// <summary>
    /// The context for dead-letter envelopes. An envelope carries a JSON body inside JSON: with
    /// the default escaping every quote of the body becomes <c>\u0022</c>, and an operator reading it
    /// in a queue browser cannot see the message that failed. Envelopes are read by the app and by
    /// operators' tools, never embedded in a page as they are (the envelope is text to them), so
    /// relaxed escaping is kept here and nowhere else.
    /// </summary>
    public static DispatchJsonContext Envelope => EnvelopeContext.Value;

    private static DispatchJsonContext CreateEnvelopeContext() =>
        new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
