using Azure.Storage.Blobs;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Stands in for the worker behind our host's queue listener: it does the report work in the
/// benchmark's own process and answers success. Listener + this = our host's share of the
/// queue path, without gRPC, the worker SDK or the app's dispatcher.
/// </summary>
public sealed class InProcessReportInvoker(BlobContainerClient reports, Completions completions) : IFunctionInvoker
{
    // Queue work only: no HTTP endpoint.
    public Uri? HttpUri => null;

    public async Task<InvocationResponse> InvokeAsync(string functionName, InvocationRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reportId = ReportWork.ReportIdOf(request.TriggerMetadata["QueueTrigger"].String);
        using var cancel = new CancellationTokenSource(timeout);
        await ReportWork.WriteAsync(reports, reportId, request.TriggerMetadata["Id"].String, cancel.Token);
        completions.Add(reportId);
        return Invocations.Succeeded(request);
    }
}
