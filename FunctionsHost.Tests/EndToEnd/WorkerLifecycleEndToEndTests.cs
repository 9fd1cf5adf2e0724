using System.Diagnostics;
using Azure.Storage.Queues.Models;
using FunctionsApp.Functions;
using FunctionsHost.Queues;
using FunctionsHost.Worker;
using Xunit.Abstractions;

namespace FunctionsHost.Tests.EndToEnd;

/// <summary>The test host's handling of the worker process itself: failed starts, crashes, shutdown.</summary>
public sealed class WorkerLifecycleEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Start_WorkerFailsAtStartup_ThrowsWithItsStderrWithinTheTimeout()
    {
        var settings = new AppStorageNames().AppSettings(azurite.ConnectionString);
        // The app refuses to start without a storage connection, and says so on stderr.
        settings["AzureWebJobsStorage"] = "";
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<WorkerUnavailableException>(() => WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory,
            AppSettings = settings,
            StartTimeout = TimeSpan.FromSeconds(30),
        }));

        output.WriteLine(failure.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Expected the failure before the 30 s start timeout; it took {clock.Elapsed}.");
        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerKilled_PendingInvocationsFailAtOnceWithTheReason()
    {
        // The blob endpoint is a closed port, so each report invocation stays in the worker for
        // seconds (the Azure SDK's retries) and is still pending when the worker dies.
        var (_, queuePort) = azurite.Server.OwnPorts("it points the blob endpoint at a closed port");
        await using var app = await AppUnderTest.StartAsync(
            azurite, output, AzuriteServer.BuildConnectionString(FreePorts.Closed(), queuePort), enableQueues: false);
        var function = app.Host.Function(ProcessWorkItemFunction.Name);
        var invocations = Enumerable.Range(0, 3).Select(i =>
        {
            var message = QueuesModelFactory.QueueMessage(
                Guid.NewGuid().ToString(), "receipt", BinaryData.FromString($$"""{"action":"generate_report","report_id":"r{{i}}"}"""), 1,
                DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7));
            return app.Host.InvokeAsync(function.Name, QueueInvocationForwarder.ToInvocation(function, message));
        }).ToArray();
        Assert.Equal(3, app.Host.PendingInvocations);

        var clock = Stopwatch.StartNew();
        app.Host.KillWorker();

        foreach (var invocation in invocations)
        {
            var failure = await Assert.ThrowsAsync<WorkerUnavailableException>(() => invocation.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(failure.Message.Contains("exited", StringComparison.Ordinal) || failure.Message.Contains("stream", StringComparison.Ordinal),
                $"Expected the reason to name the worker's exit or its stream; got: {failure.Message}");
        }

        output.WriteLine($"All pending invocations failed {clock.ElapsedMilliseconds} ms after the kill.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Expected the pending invocations to fail at once; it took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Dispose_LeavesNoWorkerProcessBehind()
    {
        var app = await AppUnderTest.StartAsync(azurite, output);
        var workerId = app.Host.WorkerProcessId;
        var exited = app.Host.WorkerExited;

        await app.DisposeAsync();

        Assert.True(exited.IsCompleted, $"Expected worker process {workerId} to have exited after dispose.");
        Assert.False(IsRunning(workerId), $"Expected no process {workerId} after dispose; it is still running.");
        Assert.DoesNotContain(workerId, WorkerProcess.RunningIds);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
