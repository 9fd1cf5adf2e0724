using FunctionsApp.Dispatch;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// Stands in for the worker behind our host's queue listener with the app's own code in the
/// benchmark's process: the composition root (<see cref="AppServices.AddFunctionsApp"/>) and its
/// dispatcher, one scope per message as the worker makes one per invocation. Next to the real
/// worker, it separates what the app's code costs from what gRPC and the worker SDK add.
/// </summary>
public sealed class InProcessAppInvoker : IFunctionInvoker, IDisposable
{
    private readonly ServiceProvider provider;
    private readonly Completions completions;

    public InProcessAppInvoker(IReadOnlyDictionary<string, string> appSettings, Completions completions)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(appSettings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddFunctionsApp(configuration);
        provider = services.BuildServiceProvider();
        this.completions = completions;
    }

    // Queue work only: no HTTP endpoint.
    public Uri? HttpUri => null;

    public async Task<InvocationResponse> InvokeAsync(string functionName, InvocationRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.TriggerMetadata["QueueTrigger"].String;
        var dequeueCount = long.Parse(request.TriggerMetadata["DequeueCount"].Json, System.Globalization.CultureInfo.InvariantCulture);
        using var cancel = new CancellationTokenSource(timeout);
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ActionDispatcher>().DispatchAsync(
                new ReceivedMessage(request.TriggerMetadata["Id"].String, body, dequeueCount), cancel.Token);
        }

        completions.Add(ReportWork.ReportIdOf(body));
        return Invocations.Succeeded(request);
    }

    public void Dispose() => provider.Dispose();
}
