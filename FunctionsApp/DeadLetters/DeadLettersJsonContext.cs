using System.Text.Json.Serialization;

namespace FunctionsApp.DeadLetters;

/// <summary>Source-generated JSON for the dead-letter console's answers and its page cursor.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeadLetterCursor))]
[JsonSerializable(typeof(DeadLetterPage))]
[JsonSerializable(typeof(DeadLetterDetail))]
[JsonSerializable(typeof(DeadLetterSummary))]
public sealed partial class DeadLettersJsonContext : JsonSerializerContext;
