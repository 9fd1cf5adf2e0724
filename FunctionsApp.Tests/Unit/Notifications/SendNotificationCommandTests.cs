using FunctionsApp.Dispatch;
using FunctionsApp.Notifications;

namespace FunctionsApp.Tests.Unit.Notifications;

public sealed class SendNotificationCommandTests
{
    private static PermanentFailureException ValidateFails(SendNotificationCommand command) =>
        Assert.Throws<PermanentFailureException>(command.Validate);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Validate_UserIdMissingOrBlank_FailsWithMissingField(string? userId)
    {
        var failure = ValidateFails(new SendNotificationCommand(userId, "hi", null));

        Assert.Equal(FailureReasons.MissingField, failure.Reason);
        Assert.Contains("user_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UserIdTooLong_FailsWithInvalidField()
    {
        var failure = ValidateFails(new SendNotificationCommand(new string('u', SendNotificationCommand.MaxUserIdLength + 1), null, null));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("user_id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OnlyUserId_Passes()
    {
        new SendNotificationCommand("u1", null, null).Validate();
    }

    [Fact]
    public void Validate_MessageOf1000Characters_Passes()
    {
        new SendNotificationCommand("u1", new string('m', 1000), null).Validate();
    }

    [Fact]
    public void Validate_MessageOf1001Characters_FailsWithInvalidFieldWithoutQuotingIt()
    {
        var message = new string('m', 1001);

        var failure = ValidateFails(new SendNotificationCommand("u1", message, null));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("message", failure.Message, StringComparison.Ordinal);
        // The description is logged and dead-lettered; the text itself is personal data.
        Assert.DoesNotContain("mmmm", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IdempotencyKeyAtLimit_Passes()
    {
        new SendNotificationCommand("u1", null, new string('k', SendNotificationCommand.MaxIdempotencyKeyLength)).Validate();
    }

    [Fact]
    public void Validate_IdempotencyKeyTooLong_FailsWithInvalidField()
    {
        var failure = ValidateFails(new SendNotificationCommand("u1", null, new string('k', SendNotificationCommand.MaxIdempotencyKeyLength + 1)));

        Assert.Equal(FailureReasons.InvalidField, failure.Reason);
        Assert.Contains("idempotency_key", failure.Message, StringComparison.Ordinal);
    }
}
