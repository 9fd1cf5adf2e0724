using System.Text.Json.Serialization;

namespace FunctionsApp.Notifications;

/// <summary>Source-generated JSON for the notifications written to the outbox.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Notification))]
public sealed partial class NotificationsJsonContext : JsonSerializerContext;
