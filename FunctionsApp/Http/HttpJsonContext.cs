using System.Text.Json.Serialization;

namespace FunctionsApp.Http;

/// <summary>Source-generated JSON for the error body every HTTP function shares.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorReply))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
