using System.Text.Json.Serialization;

namespace FunctionsApp.Greeting;

/// <summary>Source-generated JSON for the greeting's answer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GreetingReply))]
public sealed partial class GreetingJsonContext : JsonSerializerContext;
