using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;

namespace FunctionsApp.Tests.Unit.Notifications;

public sealed class SendNotificationActionTests
{
    /// <summary>A send_notification message with these fields (a null one is sent as JSON null), read as the runner reads it.</summary>
    private static SendNotificationAction Read(string? userId, string? message, string? idempotencyKey)
    {
        var json = new JsonObject
        {
            ["action"] = SendNotificationAction.Name,
            ["user_id"] = userId,
            ["message"] = message,
            [SendNotificationAction.IdempotencyKeyField] = idempotencyKey,
        };
        using var document = JsonDocument.Parse(json.ToJsonString());
        return SendNotificationAction.Read(new ActionFields(SendNotificationAction.Name, document.RootElement));
    }

    private static PermanentFailureException ReadFails(string? userId, string? message, string? idempotencyKey) =>
        Assert.Throws<PermanentFailureException>(() => Read(userId, message, idempotencyKey));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Read_UserIdMissingOrBlank_FailsWithMissingField(string? userId)
    {
        var failure = ReadFails(userId, "hi", null);

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        Assert.Contains("user_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UserIdTooLong_FailsWithInvalidField()
    {
        var failure = ReadFails(new string('u', SendNotificationAction.MaxUserIdLength + 1), null, null);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("user_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OnlyUserId_Passes()
    {
        Read("u1", null, null);
    }

    [Fact]
    public void Read_MessageOf1000Characters_Passes()
    {
        Read("u1", new string('m', 1000), null);
    }

    [Fact]
    public void Read_MessageOf1001Characters_FailsWithInvalidFieldWithoutQuotingIt()
    {
        var message = new string('m', 1001);

        var failure = ReadFails("u1", message, null);

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("message", failure.Message, StringComparison.Ordinal);
        // The description is logged and dead-lettered; the text itself is personal data.
        Assert.DoesNotContain("mmmm", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_IdempotencyKeyAtLimit_Passes()
    {
        Read("u1", null, new string('k', SendNotificationAction.MaxIdempotencyKeyLength));
    }

    [Fact]
    public void Read_IdempotencyKeyTooLong_FailsWithInvalidField()
    {
        var failure = ReadFails("u1", null, new string('k', SendNotificationAction.MaxIdempotencyKeyLength + 1));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("idempotency_key", failure.Message, StringComparison.Ordinal);
    }
}
