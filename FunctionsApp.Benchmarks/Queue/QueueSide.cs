using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Functions;
using FunctionsHost;
using FunctionsHost.Logging;
using FunctionsHost.Queues;
using FunctionsHost.Rpc;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsApp.Benchmarks.Queue;

/// <summary>
/// One way of working through the benchmark's queue, measured against the others on the same
/// Azurite layout with the same host.json fetch settings:
/// <list type="bullet">
/// <item><see cref="Ideal"/>: a plain Azure SDK loop (<see cref="IdealQueueDispatcher"/>), the baseline;</item>
/// <item><see cref="Listener"/>: our host's WebJobs listener doing the report work in process
/// (<see cref="InProcessReportInvoker"/>): the listener's share, without the worker;</item>
/// <item><see cref="AppInProcess"/>: the same listener calling the app's dispatcher in process
/// (<see cref="InProcessAppInvoker"/>): the app's own code, without gRPC and the worker SDK;</item>
/// <item><see cref="App"/>: the listener and the real worker, as in the end-to-end tests;</item>
/// <item><see cref="Template"/>: the same listener and a worker of the template baseline
/// (Baselines/TemplateApp, what func new gives a user), which writes the same report blob.</item>
/// </list>
/// </summary>
public sealed class QueueSide
{
    public const string QueueName = "bench-work-items";
    public const string ContainerName = "bench-reports";

    private readonly Func<string, ListenerSettings, Completions, Task<IRunningQueueSide>> start;

    private QueueSide(string name, string description, Func<string, ListenerSettings, Completions, Task<IRunningQueueSide>> start)
    {
        Name = name;
        Description = description;
        this.start = start;
    }

    public static QueueSide Ideal { get; } = new("ideal", "ideal SDK dispatcher", StartIdealAsync);

    public static QueueSide Listener { get; } = new("listener", "our host's listener, work in process", StartListenerAsync);

    public static QueueSide AppInProcess { get; } = new("app in process", "listener + the app's dispatcher in process", StartAppInProcessAsync);

    public static QueueSide App { get; } = new("app", "app (listener + worker)", StartAppAsync);

    public static QueueSide Template { get; } = new("template", "template (listener + func new worker)", StartTemplateAsync);

    /// <summary>Ideal first, then each layer the app adds on top of it, then the template next to the app.</summary>
    public static IReadOnlyList<QueueSide> All { get; } = [Ideal, Listener, AppInProcess, App, Template];

    /// <summary>
    /// The sides in the order to measure them in a round: odd rounds reversed, so a machine that
    /// gets busier or quieter during the run weighs on all of them alike.
    /// </summary>
    public static IEnumerable<QueueSide> InOrderOfRound(int round) => round % 2 == 0 ? All : All.Reverse();

    public string Name { get; }

    public string Description { get; }

    /// <summary>
    /// Starts working on <see cref="QueueName"/> of the storage account at <paramref name="connectionString"/>
    /// (Azurite, or a <see cref="LatencyStage"/> in front of it), fetching as <paramref name="settings"/> say;
    /// every report written is added to <paramref name="completions"/>.
    /// </summary>
    public Task<IRunningQueueSide> StartAsync(string connectionString, ListenerSettings settings, Completions completions) => start(connectionString, settings, completions);

    public override string ToString() => Name;

    private static Task<IRunningQueueSide> StartIdealAsync(string connectionString, ListenerSettings settings, Completions completions)
    {
        var dispatcher = new IdealQueueDispatcher(
            new QueueClient(connectionString, QueueName),
            new BlobContainerClient(connectionString, ContainerName),
            settings,
            completions);
        var stop = new CancellationTokenSource();
        return Task.FromResult<IRunningQueueSide>(new RunningSide(dispatcher.RunAsync(stop.Token), stop));
    }

    private static Task<IRunningQueueSide> StartListenerAsync(string connectionString, ListenerSettings settings, Completions completions) =>
        StartListenerAsync(connectionString, settings, new InProcessReportInvoker(new BlobContainerClient(connectionString, ContainerName), completions), owned: null);

    private static Task<IRunningQueueSide> StartAppInProcessAsync(string connectionString, ListenerSettings settings, Completions completions)
    {
        var invoker = new InProcessAppInvoker(AppSettings(connectionString), completions);
        return StartListenerAsync(connectionString, settings, invoker, owned: invoker);
    }

    /// <summary>Our host's listener forwarding ProcessWorkItem to <paramref name="invoker"/> instead of a worker.</summary>
    private static async Task<IRunningQueueSide> StartListenerAsync(string connectionString, ListenerSettings settings, IFunctionInvoker invoker, IDisposable? owned)
    {
        var functions = new[] { await ProcessWorkItemMetadata.Value };
        var listener = await QueueTriggerListener.StartAsync(
            functions, AppSettings(connectionString), FunctionsAppOutput.HostJsonPath, settings.Apply,
            new QueueInvocationForwarder(functions, invoker, TimeSpan.FromMinutes(2)), new WorkerLogs());
        return new RunningSide(listener, owned);
    }

    private static Task<IRunningQueueSide> StartAppAsync(string connectionString, ListenerSettings settings, Completions completions) =>
        StartWorkerAsync(FunctionsAppOutput.Directory, connectionString, settings, completions);

    private static async Task<IRunningQueueSide> StartTemplateAsync(string connectionString, ListenerSettings settings, Completions completions) =>
        await StartWorkerAsync(await BaselineApps.DirectoryAsync("TemplateApp"), connectionString, settings, completions);

    /// <summary>Our host with a worker of the app in <paramref name="appDirectory"/>, queues only.</summary>
    private static async Task<IRunningQueueSide> StartWorkerAsync(string appDirectory, string connectionString, ListenerSettings settings, Completions completions)
    {
        var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = appDirectory,
            AppSettings = AppSettings(connectionString),
            EnableHttp = false,
            OverrideQueueOptions = settings.Apply,
            InvocationEnded = (request, response) =>
            {
                if (response.Result?.Status == StatusResult.Types.Status.Success)
                {
                    completions.Add(ReportWork.ReportIdOf(request.TriggerMetadata["QueueTrigger"].String));
                }
            },
        });
        return new RunningSide(host, host.WorkerProcessId);
    }

    /// <summary>The app settings every side with our host gets: the storage account and the benchmark's queue and container.</summary>
    public static Dictionary<string, string> AppSettings(string connectionString) => new()
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["WorkItemsQueueName"] = QueueName,
        ["Reports__ContainerName"] = ContainerName,
    };

    /// <summary>
    /// ProcessWorkItem's trigger as the worker describes it, so the listener side binds exactly
    /// what the app side binds; read once from a worker started without triggers.
    /// </summary>
    private static readonly Lazy<Task<WorkerFunction>> ProcessWorkItemMetadata = new(async () =>
    {
        await using var host = await WorkerHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = FunctionsAppOutput.Directory,
            AppSettings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["WorkItemsQueueName"] = QueueName },
            EnableHttp = false,
            EnableQueues = false,
        });
        return host.Function(ProcessWorkItemFunction.Name);
    });

    private sealed class RunningSide : IRunningQueueSide
    {
        private readonly Func<ValueTask> stop;

        public RunningSide(Task loop, CancellationTokenSource cancel)
        {
            stop = async () =>
            {
                await cancel.CancelAsync();
                await loop;
                cancel.Dispose();
            };
        }

        public RunningSide(QueueTriggerListener listener, IDisposable? owned)
        {
            stop = async () =>
            {
                await listener.StopAsync(CancellationToken.None);
                await listener.DisposeAsync();
                owned?.Dispose();
            };
        }

        public RunningSide(WorkerHost host, int workerProcessId)
        {
            WorkerProcessId = workerProcessId;
            WorkerLogs = host.Logs;
            stop = host.DisposeAsync;
        }

        public int? WorkerProcessId { get; }

        public WorkerLogs? WorkerLogs { get; }

        public ValueTask DisposeAsync() => stop();
    }
}
