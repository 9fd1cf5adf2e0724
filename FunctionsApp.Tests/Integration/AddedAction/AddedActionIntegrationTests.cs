using System.Collections.Concurrent;
using System.Text.Json;
using FunctionsApp.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>
/// The README's steps for a new action are all it takes: an action record, a handler and one
/// <c>AddAction</c> line (step 3, below) give a test-only action the whole pipeline
/// against Azurite: routing, validation, dead-lettering with a reason.
/// </summary>
public sealed class AddedActionIntegrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly ConcurrentQueue<(ArchiveAction Action, string MessageId)> handled = new();

    private InProcessApp StartApp() => new(azurite, configureServices: services => services
        .AddSingleton(handled)
        .AddAction<ArchiveAction, ArchiveHandler>());

    [Fact]
    public async Task AddedAction_ValidMessage_ReachesItsHandler()
    {
        await using var app = StartApp();
        var messageId = Guid.NewGuid().ToString();

        await app.ProcessAsync("""{"action":"archive_report","report_id":"r-42"}""", messageId);

        Assert.Equal((new ArchiveAction("r-42"), messageId), Assert.Single(handled));
        Assert.Null(await app.DeadLetters.PeekOrNullAsync());
    }

    [Fact]
    public async Task AddedAction_InvalidMessage_IsDeadLetteredWithTheReason()
    {
        await using var app = StartApp();

        await app.ProcessAsync("""{"action":"archive_report"}""");

        Assert.Empty(handled);
        using var envelope = JsonDocument.Parse(await app.DeadLetters.PeekOrNullAsync() ?? "null");
        Assert.Equal(FailureReasons.MissingField, envelope.RootElement.GetProperty("reason").GetString());
        Assert.Equal("archive_report", envelope.RootElement.GetProperty("action").GetString());
    }
}
