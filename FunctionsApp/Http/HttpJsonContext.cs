using System.Text.Json;
using System.Text.Json.Serialization;
using FunctionsApp.Json;

namespace FunctionsApp.Http;

/// <summary>
/// Source-generated JSON for the error body every HTTP function shares, kept here so that the
/// capabilities answering with it do not depend on the app's root context (which knows them all).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorReply))]
internal sealed partial class HttpJsonContext : JsonSerializerContext
{
    /// <summary>Written with the app's outgoing escaping, as every other answer is.</summary>
    public static HttpJsonContext Outgoing => OutgoingHolder.Instance;

    // A nested holder, because the generated half's static initializers are not ordered against ours.
    private static class OutgoingHolder
    {
        public static readonly HttpJsonContext Instance = new(new JsonSerializerOptions(Default.Options) { Encoder = OutgoingJson.Encoder });
    }
}
