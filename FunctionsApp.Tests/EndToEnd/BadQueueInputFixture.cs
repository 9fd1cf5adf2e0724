using System.Text.Json;
using FunctionsApp.Functions;
using FunctionsHost.Rpc;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// One worker for the whole bad-input table: every row's message is sent once at start and known
/// by its message id afterwards, so each row is checked on its own, in any order, against the same
/// worker process (which must survive them all).
/// </summary>
public sealed class BadQueueInputFixture : IAsyncLifetime
{
    /// <summary>All rows arrive at once; the listener takes 16 at a time and the large ones take a moment.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, string> messageIds = new(StringComparer.Ordinal);
    private AppUnderTest? app;

    public AzuriteFixture Azurite { get; } = new();

    public AppUnderTest App => app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The worker's process id when the table was sent.</summary>
    public int WorkerProcessId { get; private set; }

    public string MessageIdOf(string caseName) => messageIds[caseName];

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        app = await AppUnderTest.StartAsync(Azurite, output: null);
        WorkerProcessId = app.Host.WorkerProcessId;
        foreach (var row in BadQueueInputCases.All)
        {
            messageIds[row.Name] = await QueueProbes.SendAsync(Azurite.Queues, app.Storage.WorkItemsQueue, row.Body);
        }
    }

    /// <summary>The ended attempts for one message, once there is at least one.</summary>
    public Task<IReadOnlyList<InvocationRecord>> AttemptsAsync(string messageId, string caseName) =>
        Poll.UntilAsync(
            () =>
            {
                var ended = Attempts(messageId);
                return Task.FromResult<(IReadOnlyList<InvocationRecord>?, string)>(
                    (ended.Count > 0 ? ended : null, $"no ended attempt; {App.Host.InvocationsOf(ProcessWorkItemFunction.Name).Count} attempt(s) of the table ended"));
            },
            Timeout,
            $"an attempt for row '{caseName}' (message {messageId})");

    public IReadOnlyList<InvocationRecord> Attempts(string messageId) =>
        App.Attempts(messageId);

    /// <summary>The envelopes in the dead-letter queue, all of them, by message id.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> EnvelopesAsync()
    {
        var parked = await QueueProbes.ReadAllAsync(Azurite.Queues, App.Storage.DeadLetterQueue);
        var envelopes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var message in parked)
        {
            using var document = JsonDocument.Parse(message);
            envelopes[document.RootElement.GetProperty("message_id").GetString()!] = document.RootElement.Clone();
        }

        return envelopes;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        await Azurite.DisposeAsync();
    }
}
