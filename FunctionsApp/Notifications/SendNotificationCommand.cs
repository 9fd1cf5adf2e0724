using System.Text.Json.Serialization.Metadata;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Notifications;

/// <summary>The <c>send_notification</c> message: who to notify, what to say, and an optional idempotency key.</summary>
public sealed record SendNotificationCommand(string? UserId, string? Message, string? IdempotencyKey)
    : IWorkCommand<SendNotificationCommand>
{
    public const string DefaultMessage = "You have a new update";
    public const int MaxUserIdLength = 128;
    public const int MaxMessageLength = 1000;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>The wire name of <see cref="IdempotencyKey"/>; replay adds it to a parked notification that has none.</summary>
    public const string IdempotencyKeyField = "idempotency_key";

    public static string Action => "send_notification";

    public static JsonTypeInfo<SendNotificationCommand> JsonTypeInfo => AppJsonContext.Outgoing.SendNotificationCommand;

    public void Validate()
    {
        CommandFields.Text(CommandFields.Required(UserId, "user_id"), "user_id", MaxUserIdLength);
        CommandFields.Optional(Message, "message", MaxMessageLength);
        CommandFields.Optional(IdempotencyKey, IdempotencyKeyField, MaxIdempotencyKeyLength);
    }
}
