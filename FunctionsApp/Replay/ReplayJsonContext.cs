using System.Text.Json.Serialization;

namespace FunctionsApp.Replay;

/// <summary>Source-generated JSON for the replay's request body and its report.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(ReplayReport))]
public sealed partial class ReplayJsonContext : JsonSerializerContext;
