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

    public static string Action => "send_notification";

    public static JsonTypeInfo<SendNotificationCommand> JsonTypeInfo => AppJsonContext.Readable.SendNotificationCommand;

    public void Validate()
    {
        CommandFields.Text(CommandFields.Required(UserId, "user_id"), "user_id", MaxUserIdLength);
        CommandFields.Optional(Message, "message", MaxMessageLength);
        CommandFields.Optional(IdempotencyKey, "idempotency_key", MaxIdempotencyKeyLength);
    }
}
