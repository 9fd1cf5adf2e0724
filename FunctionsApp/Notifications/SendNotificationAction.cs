using FunctionsApp.Dispatch;

namespace FunctionsApp.Notifications;

/// <summary>The <c>send_notification</c> action: who to notify, what to say, and an optional idempotency key.</summary>
/// <param name="UserId">Who to notify.</param>
/// <param name="Message">The text, or null for <see cref="DefaultMessage"/>.</param>
/// <param name="IdempotencyKey">The sender's key for suppressing duplicates, or null.</param>
public sealed record SendNotificationAction(string UserId, string? Message, string? IdempotencyKey)
    : IAction<SendNotificationAction>
{
    public const string DefaultMessage = "You have a new update";
    public const int MaxUserIdLength = 128;
    public const int MaxMessageLength = 1000;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>The wire name of <see cref="IdempotencyKey"/>; replay adds it to a parked notification that has none.</summary>
    public const string IdempotencyKeyField = "idempotency_key";

    public static string Name => "send_notification";

    public static SendNotificationAction Read(ActionFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        // Every field's type first, then their values: a field of the wrong type is named before a missing one.
        var userId = fields.ReadText("user_id");
        var message = fields.ReadText("message");
        var idempotencyKey = fields.ReadText(IdempotencyKeyField);

        return new SendNotificationAction(
            ActionFields.MaxLength(ActionFields.Required(userId, "user_id"), "user_id", MaxUserIdLength),
            ActionFields.Optional(message, "message", MaxMessageLength),
            ActionFields.Optional(idempotencyKey, IdempotencyKeyField, MaxIdempotencyKeyLength));
    }
}
