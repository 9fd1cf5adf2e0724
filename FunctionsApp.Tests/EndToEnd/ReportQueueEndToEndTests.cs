using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using FunctionsApp.Functions;
using Xunit.Abstractions;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>generate_report messages through the WebJobs queue listener and the worker to a blob.</summary>
public sealed class ReportQueueEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GenerateReport_PlainTextMessage_StoresReportBlob()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var messageId = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue,
            $$"""{"action":"generate_report","report_id":"{{reportId}}","title":"Quarterly","parameters":{"region":"emea"} }""");

        var (report, properties) = await WaitForReportAsync(app, reportId);

        Assert.StartsWith("application/json", properties.ContentType, StringComparison.Ordinal);
        Assert.Equal(reportId, report.GetProperty("report_id").GetString());
        Assert.Equal("Quarterly", report.GetProperty("title").GetString());
        Assert.Equal("emea", report.GetProperty("parameters").GetProperty("region").GetString());
        Assert.Equal(messageId, report.GetProperty("source_message_id").GetString());
    }

    [Fact]
    public async Task GenerateReport_Base64Message_StoresReportBlob()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var json = $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";
        await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));

        var (report, properties) = await WaitForReportAsync(app, reportId);

        Assert.StartsWith("application/json", properties.ContentType, StringComparison.Ordinal);
        Assert.Equal(reportId, report.GetProperty("report_id").GetString());
        Assert.Equal($"Report {reportId}", report.GetProperty("title").GetString());
    }

    [Fact]
    public async Task GenerateReport_SameReportIdTwice_StoresOneReport()
    {
        await using var app = await AppUnderTest.StartAsync(azurite, output);
        var reportId = "r-" + Guid.NewGuid().ToString("N");
        var text = $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";
        var first = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, text);
        var second = await QueueProbes.SendAsync(azurite.Queues, app.Storage.WorkItemsQueue, text);

        await Poll.UntilAsync(
            async () =>
            {
                await Task.CompletedTask;
                var done = app.Host.InvocationsOf(ProcessWorkItemFunction.Name).Where(r => r.Succeeded).ToArray();
                return (done.Length >= 2 ? done : null, $"{done.Length} successful invocation(s)");
            },
            Timeout,
            "both messages processed");

        var blobs = await azurite.Blobs.GetBlobContainerClient(app.Storage.ReportsContainer).ListBlobsAsync();

        Assert.Equal([reportId + ".json"], blobs.Select(b => b.Name));
        var (report, _) = await WaitForReportAsync(app, reportId);
        Assert.Contains(report.GetProperty("source_message_id").GetString(), new[] { first, second });
        Assert.Single(app.Host.Logs.Find(e => e.EventId == "ReportStored"));
        Assert.Single(app.Host.Logs.Find(e => e.EventId == "ReportAlreadyExists"));
    }

    private async Task<(JsonElement Report, BlobProperties Properties)> WaitForReportAsync(AppUnderTest app, string reportId)
    {
        var blob = azurite.Blobs.GetBlobContainerClient(app.Storage.ReportsContainer).GetBlobClient(reportId + ".json");
        var found = await Poll.UntilAsync<Tuple<JsonElement, BlobProperties>>(
            async () =>
            {
                try
                {
                    var content = await blob.DownloadContentAsync();
                    using var document = JsonDocument.Parse(content.Value.Content);
                    var properties = await blob.GetPropertiesAsync();
                    return (Tuple.Create(document.RootElement.Clone(), properties.Value), "the blob");
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    var invocations = app.Host.InvocationsOf(ProcessWorkItemFunction.Name);
                    return (null, $"no blob {blob.Name} in {blob.BlobContainerName} ({ex.ErrorCode}); {invocations.Count} invocation(s) ended, " +
                        $"{invocations.Count(i => !i.Succeeded)} failed");
                }
            },
            Timeout,
            $"report blob {reportId}.json in container {app.Storage.ReportsContainer}");
        return (found.Item1, found.Item2);
    }
}
