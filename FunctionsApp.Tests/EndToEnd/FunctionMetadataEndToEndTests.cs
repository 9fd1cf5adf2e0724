using System.Text.Json;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>What the worker reports about the app's functions, compared with what the app declares.</summary>
public sealed class FunctionMetadataEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AppUnderTest app = null!;

    public async Task InitializeAsync() => app = await AppUnderTest.StartAsync(azurite, output);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void Worker_ReportsTheFunctionsDeclaredInFunctionsMetadata()
    {
        using var declared = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsAppOutput.Directory, "functions.metadata")));
        var expected = declared.RootElement.EnumerateArray()
            .Select(f => $"{f.GetProperty("name").GetString()}:{Trigger(f).GetProperty("type").GetString()}")
            .Order()
            .ToArray();

        var reported = app.Host.Functions.Select(f => $"{f.Name}:{f.TriggerType}").Order().ToArray();

        Assert.Equal(expected, reported);
        Assert.Equal(
            new[]
            {
                HelloFunction.Name, ProcessWorkItemFunction.Name, ReplayDeadLettersFunction.Name, ListDeadLettersFunction.Name,
                GetDeadLetterFunction.Name, DiscardDeadLetterFunction.Name, DeadLetterConsoleFunction.Name,
            }.Order(),
            app.Host.Functions.Select(f => f.Name).Order());
    }

    [Fact]
    public void Hello_IsAnHttpTriggerOnRouteHelloForGetAndPost()
    {
        var hello = app.Host.Function(HelloFunction.Name);

        Assert.True(hello.IsHttpTrigger, $"Expected an httpTrigger; got {hello.TriggerType}.");
        Assert.Equal("hello", hello.HttpRoute);
        Assert.Equal(["get", "post"], hello.HttpMethods.Order());
    }

    [Fact]
    public void ReplayDeadLetters_IsAnHttpTriggerOnItsRouteForPostOnly()
    {
        var replay = app.Host.Function(ReplayDeadLettersFunction.Name);

        Assert.True(replay.IsHttpTrigger, $"Expected an httpTrigger; got {replay.TriggerType}.");
        Assert.Equal("dead-letters/replay", replay.HttpRoute);
        Assert.Equal(["post"], replay.HttpMethods);
    }

    [Theory]
    [InlineData(ListDeadLettersFunction.Name, "dead-letters", "get", "function")]
    [InlineData(GetDeadLetterFunction.Name, "dead-letters/{id}", "get", "function")]
    [InlineData(DiscardDeadLetterFunction.Name, "dead-letters/{id}", "delete", "function")]
    [InlineData(ReplayDeadLettersFunction.Name, "dead-letters/replay", "post", "function")]
    [InlineData(DeadLetterConsoleFunction.Name, "dead-letter-console/{file?}", "get", "anonymous")]
    public void DeadLetterConsole_RoutesMethodsAndKeys(string name, string route, string method, string authLevel)
    {
        var function = app.Host.Function(name);

        Assert.Equal(route, function.HttpRoute);
        Assert.Equal([method], function.HttpMethods);
        Assert.Equal(authLevel, function.Trigger.GetProperty("authLevel").GetString(), ignoreCase: true);
    }

    [Fact]
    public void ProcessWorkItem_IsAQueueTriggerOnTheQueueTheSettingNames()
    {
        var function = app.Host.Function(ProcessWorkItemFunction.Name);

        Assert.True(function.IsQueueTrigger, $"Expected a queueTrigger; got {function.TriggerType}.");
        Assert.Equal("%WorkItemsQueueName%", function.QueueNameExpression);
        Assert.Equal("AzureWebJobsStorage", function.Connection);
        Assert.True(function.SupportsDeferredBinding, "Expected a QueueMessage parameter (supportsDeferredBinding).");
        Assert.Equal(app.Storage.WorkItemsQueue, app.Host.ListenedQueues[ProcessWorkItemFunction.Name]);
    }

    [Fact]
    public void StartupTime_IsReported()
    {
        // Reported, not asserted: the machine is shared and noisy.
        output.WriteLine($"Start-up: {app.Host.StartupTimes}");
        Assert.True(app.Host.StartupTimes.FunctionsLoaded > TimeSpan.Zero);
    }

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
}
