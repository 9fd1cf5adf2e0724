using System.Text.Json.Serialization;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>
/// Step 2: source-generated JSON for the command. In the app this is one <c>[JsonSerializable]</c>
/// line in <c>AppJsonContext</c>; a test cannot add to that class, so it has a context of its own
/// with the same options.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ArchiveCommand))]
public sealed partial class AddedActionJsonContext : JsonSerializerContext;
