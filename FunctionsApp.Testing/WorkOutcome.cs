using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp.Functions;
using FunctionsHost;

namespace FunctionsApp.Testing;

/// <summary>
/// What the app made of a <see cref="WorkMix"/>, read from storage and from the invocations the test
/// hosts recorded (never from log text): messages processed (an attempt completed and no envelope
/// parked it), dead letters (the envelopes in the poison queue), report blobs, outbox keys, and
/// what is left in the work queue; and the invariants "nothing lost, nothing doubled" checked
/// against the plan.
/// </summary>
public sealed class WorkOutcome
{
    private WorkOutcome(
        IReadOnlySet<string> processed,
        IReadOnlyList<(string? MessageId, string Reason)> deadLetters,
        IReadOnlyList<string> reportBlobs,
        IReadOnlyList<string> outboxKeys,
        int leftInWorkQueue,
        int duplicatesSuppressed,
        int reportsAlreadyExisting)
    {
        Processed = processed;
        DeadLetters = deadLetters;
        ReportBlobs = reportBlobs;
        OutboxKeys = outboxKeys;
        LeftInWorkQueue = leftInWorkQueue;
        DuplicatesSuppressed = duplicatesSuppressed;
        ReportsAlreadyExisting = reportsAlreadyExisting;
    }

    /// <summary>Ids of the messages processed (at least once): an attempt completed, and the message is not dead-lettered.</summary>
    public IReadOnlySet<string> Processed { get; }

    /// <summary>The poison queue: each envelope's message id and reason; a bare body (the platform's own move) has no id and reason <c>platform_poison</c>.</summary>
    public IReadOnlyList<(string? MessageId, string Reason)> DeadLetters { get; }

    /// <summary>The distinct message ids in the poison queue: a message parked twice (at least once delivery) counts once.</summary>
    public IReadOnlySet<string> DeadLetteredIds => DeadLetters.Where(d => d.MessageId is not null).Select(d => d.MessageId!).ToHashSet();

    public IReadOnlyList<string> ReportBlobs { get; }

    /// <summary>The idempotency key of every notification in the outbox, repeats included.</summary>
    public IReadOnlyList<string> OutboxKeys { get; }

    public int LeftInWorkQueue { get; }

    /// <summary>NotificationDuplicateSuppressed events.</summary>
    public int DuplicatesSuppressed { get; }

    /// <summary>ReportAlreadyExists events.</summary>
    public int ReportsAlreadyExisting { get; }

    /// <summary>
    /// Ids of the messages an attempt of the queue function completed at, across the given hosts: the
    /// app processed them or parked them itself. What the host recorded, not what a log line says.
    /// </summary>
    public static HashSet<string> CompletedIds(IEnumerable<WorkerHost> hosts) =>
        hosts.SelectMany(h => h.InvocationsOf(ProcessWorkItemFunction.Name))
            .Where(a => a.Succeeded)
            .Select(a => a.TriggerValue("Id")!)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Waits until the completed attempts and the poison queue together account for
    /// <paramref name="sent"/> messages and the work queue is empty. Storage errors while waiting
    /// (an outage a test made) count as "not yet".
    /// </summary>
    public static async Task<string> WaitUntilAllHandledAsync(
        QueueServiceClient queues, AppStorageNames storage, Func<IReadOnlyList<WorkerHost>> hosts, int sent, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(hosts);
        return await Poll.UntilAsync(
            async () =>
            {
                var completed = CompletedIds(hosts()).Count;
                try
                {
                    var dead = await QueueProbes.CountAsync(queues, storage.PoisonQueue);
                    var left = await QueueProbes.CountAsync(queues, storage.WorkItemsQueue);
                    var seen = $"{completed} completed, {dead} in the poison queue, {left} in the work queue, of {sent} sent";
                    return (completed + dead >= sent && left == 0 ? seen : null, seen);
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException)
                {
                    return (null, $"{completed} completed; storage unavailable ({ex.GetType().Name}: {ex.Message.Split('\n')[0]})");
                }
            },
            timeout,
            $"all {sent} messages processed or dead-lettered and the work queue empty");
    }

    /// <summary>
    /// Like <see cref="WaitUntilAllHandledAsync"/>, but also ends when every message not handled is
    /// still in the work queue and has stayed hidden, with nothing in flight, for five seconds: a
    /// message the WebJobs listener received and then could not release (it stopped, or storage was
    /// down) stays hidden for the rest of its 10-minute receive lease. Late, not lost.
    /// </summary>
    public static async Task<string> WaitUntilHandledOrHiddenAsync(
        QueueServiceClient queues, AppStorageNames storage, Func<IReadOnlyList<WorkerHost>> hosts, int sent, Func<int> inFlight, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(inFlight);
        DateTime? hiddenSince = null;
        return await Poll.UntilAsync(
            async () =>
            {
                var completed = CompletedIds(hosts()).Count;
                try
                {
                    var dead = await QueueProbes.CountAsync(queues, storage.PoisonQueue);
                    var left = await QueueProbes.CountAsync(queues, storage.WorkItemsQueue);
                    var visible = await QueueProbes.AnyVisibleAsync(queues, storage.WorkItemsQueue);
                    var seen = $"{completed} completed, {dead} in the poison queue, {left} in the work queue ({(visible ? "some" : "none")} visible), of {sent} sent";
                    if (completed + dead >= sent && left == 0)
                    {
                        return (seen, seen);
                    }

                    // Messages in flight are hidden too, briefly: only hidden and idle counts.
                    var onlyHiddenLeft = completed + dead + left >= sent && !visible && inFlight() == 0;
                    hiddenSince = onlyHiddenLeft ? hiddenSince ?? DateTime.UtcNow : null;
                    return (hiddenSince is { } since && DateTime.UtcNow - since > TimeSpan.FromSeconds(5) ? seen : null, seen);
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException)
                {
                    hiddenSince = null;
                    return (null, $"{completed} completed; storage unavailable ({ex.GetType().Name})");
                }
            },
            timeout,
            $"all {sent} messages processed or dead-lettered, or the rest hidden in the work queue");
    }

    /// <summary>Reads the outcome from storage and from what the hosts recorded; the queues are read whole and left as they are.</summary>
    public static async Task<WorkOutcome> ReadAsync(
        QueueServiceClient queues, BlobServiceClient blobs, AppStorageNames storage, IReadOnlyList<WorkerHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(hosts);
        var deadLetters = new List<(string?, string)>();
        foreach (var body in await QueueProbes.ReadAllAsync(queues, storage.PoisonQueue))
        {
            deadLetters.Add(ReadEnvelope(body));
        }

        var outboxKeys = new List<string>();
        foreach (var body in await QueueProbes.ReadAllAsync(queues, storage.OutboxQueue))
        {
            using var notification = JsonDocument.Parse(body);
            outboxKeys.Add(notification.RootElement.GetProperty("idempotency_key").GetString()!);
        }

        var reportBlobs = (await blobs.GetBlobContainerClient(storage.ReportsContainer).ListBlobsAsync()).Select(b => b.Name).ToArray();

        var parkedIds = deadLetters.Where(d => d.Item1 is not null).Select(d => d.Item1!).ToHashSet(StringComparer.Ordinal);
        var logs = hosts.Select(h => h.Logs).ToArray();
        return new WorkOutcome(
            CompletedIds(hosts).Where(id => !parkedIds.Contains(id)).ToHashSet(StringComparer.Ordinal),
            deadLetters,
            reportBlobs,
            outboxKeys,
            await QueueProbes.CountAsync(queues, storage.WorkItemsQueue),
            logs.Sum(l => l.Find(e => e.EventId == "NotificationDuplicateSuppressed").Count),
            logs.Sum(l => l.Find(e => e.EventId == "ReportAlreadyExists").Count));
    }

    /// <summary>
    /// Every way the outcome breaks "nothing lost, nothing doubled" for <paramref name="mix"/>; empty when it holds.
    /// </summary>
    /// <param name="mix">What was sent.</param>
    /// <param name="allowedRepeatSends">
    /// How many keys may reach the outbox twice: 0, except where the README allows a repeat (a
    /// failure between sending and recording the key, such as a worker killed there).
    /// </param>
    /// <param name="allowRetriesExhausted">Whether a valid message parked as retries_exhausted is acceptable (kept, not lost).</param>
    /// <param name="allowedRepeatDeadLetters">
    /// How many messages may be dead-lettered twice: 0, except when storage fails between writing
    /// the envelope and deleting the message (an outage), so the message is delivered and parked again.
    /// </param>
    /// <param name="allowedStillQueued">
    /// How many messages may still be in the work queue, unhandled yet (not lost): 0, except where the
    /// platform keeps a message hidden for a while (see <see cref="WaitUntilHandledOrHiddenAsync"/>).
    /// </param>
    public IReadOnlyList<string> Violations(
        WorkMix mix, int allowedRepeatSends, bool allowRetriesExhausted, int allowedRepeatDeadLetters = 0, int allowedStillQueued = 0)
    {
        ArgumentNullException.ThrowIfNull(mix);
        var problems = new List<string>();
        if (LeftInWorkQueue > allowedStillQueued)
        {
            problems.Add($"expected at most {allowedStillQueued} message(s) left in the work queue; {LeftInWorkQueue} are");
        }

        var sent = mix.Messages.ToDictionary(m => m.MessageId!);
        var deadById = DeadLetters.Where(d => d.MessageId is not null).GroupBy(d => d.MessageId!).ToDictionary(g => g.Key, g => g.ToArray());
        var unknownDead = DeadLetters.Where(d => d.MessageId is null || !sent.ContainsKey(d.MessageId)).ToArray();
        if (unknownDead.Length > 0)
        {
            problems.Add($"expected every dead letter to be one of ours with an envelope; {unknownDead.Length} are not: " +
                string.Join(", ", unknownDead.Take(5).Select(d => $"{d.MessageId ?? "(no id)"} {d.Reason}")));
        }

        var doubleDead = deadById.Where(d => d.Value.Length > 1).Select(d => d.Key).ToArray();
        if (doubleDead.Length > allowedRepeatDeadLetters)
        {
            problems.Add($"expected at most {allowedRepeatDeadLetters} message(s) dead-lettered twice; {doubleDead.Length} are, e.g. {doubleDead[0]}");
        }

        // Messages neither processed nor dead-lettered are lost unless the work queue still holds as many.
        var lost = mix.Messages.Where(m => !Processed.Contains(m.MessageId!) && !deadById.ContainsKey(m.MessageId!)).ToArray();
        var stillQueued = lost.Length <= LeftInWorkQueue ? lost.Select(m => m.MessageId!).ToHashSet() : [];
        if (lost.Length > LeftInWorkQueue)
        {
            problems.Add($"expected every message processed or dead-lettered; {lost.Length} are neither and the work queue holds {LeftInWorkQueue} (lost), e.g. #{lost[0].Index} {lost[0].MessageId}: {lost[0].Text}");
        }

        foreach (var message in mix.Messages.Where(m => !m.IsValid && !stillQueued.Contains(m.MessageId!)))
        {
            if (!deadById.TryGetValue(message.MessageId!, out var dead))
            {
                problems.Add($"expected invalid message #{message.Index} ({message.MessageId}) dead-lettered as {message.ExpectedReason}; it is not in the poison queue");
            }
            else if (dead[0].Reason != message.ExpectedReason)
            {
                problems.Add($"expected invalid message #{message.Index} dead-lettered as {message.ExpectedReason}; its reason is {dead[0].Reason}");
            }
        }

        var parked = ParkedValid(mix);
        foreach (var (message, reason) in parked.Where(p => !(allowRetriesExhausted && p.Reason == "retries_exhausted")))
        {
            problems.Add($"expected valid message #{message.Index} ({message.MessageId}) processed; it was dead-lettered as {reason}");
        }

        var strangers = Processed.Where(id => !sent.ContainsKey(id)).ToArray();
        if (strangers.Length > 0)
        {
            problems.Add($"expected only our messages processed; {strangers.Length} other id(s), e.g. {strangers[0]}");
        }

        var parkedIds = parked.Select(p => p.Message.MessageId!).Concat(stillQueued).ToHashSet();
        var expectedReports = mix.Messages.Where(m => m.ReportId is not null && !parkedIds.Contains(m.MessageId!)).Select(m => m.ReportId + ".json").ToHashSet();
        var reports = ReportBlobs.ToHashSet();
        if (!reports.SetEquals(expectedReports))
        {
            problems.Add($"expected {expectedReports.Count} report blobs, one per report id; saw {ReportBlobs.Count}: " +
                $"missing {string.Join(", ", expectedReports.Except(reports).Take(5))}; unexpected {string.Join(", ", reports.Except(expectedReports).Take(5))}");
        }

        var expectedKeys = mix.Messages.Where(m => m.IsNotification && !parkedIds.Contains(m.MessageId!)).Select(m => m.NotificationKey!).ToHashSet();
        var keys = OutboxKeys.ToHashSet();
        if (!keys.SetEquals(expectedKeys))
        {
            problems.Add($"expected the outbox to hold {expectedKeys.Count} keys; saw {keys.Count} distinct: " +
                $"missing {string.Join(", ", expectedKeys.Except(keys).Take(5))}; unexpected {string.Join(", ", keys.Except(expectedKeys).Take(5))}");
        }

        var repeated = OutboxKeys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToArray();
        if (repeated.Length > allowedRepeatSends)
        {
            problems.Add($"expected at most {allowedRepeatSends} key(s) twice in the outbox; {repeated.Length} are: {string.Join(", ", repeated.Take(5))}");
        }

        return problems;
    }

    /// <summary>Violations as an assertion message.</summary>
    public static string Report(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return $"{problems.Count} violation(s) of nothing lost, nothing doubled:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Take(30));
    }

    /// <summary>Valid messages of the mix that ended in the poison queue, with their reason.</summary>
    public IReadOnlyList<(PlannedMessage Message, string Reason)> ParkedValid(WorkMix mix)
    {
        ArgumentNullException.ThrowIfNull(mix);
        var reasons = DeadLetters.Where(d => d.MessageId is not null).GroupBy(d => d.MessageId!).ToDictionary(g => g.Key, g => g.First().Reason);
        return mix.Messages
            .Where(m => m.IsValid && reasons.ContainsKey(m.MessageId!))
            .Select(m => (m, reasons[m.MessageId!]))
            .ToArray();
    }

    public string Describe() =>
        $"processed {Processed.Count}, dead-lettered {DeadLetteredIds.Count} (envelopes {DeadLetters.Count}: " +
        $"{string.Join(", ", DeadLetters.GroupBy(d => d.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}), " +
        $"report blobs {ReportBlobs.Count}, outbox {OutboxKeys.Count} ({OutboxKeys.Distinct().Count()} keys), " +
        $"duplicates suppressed {DuplicatesSuppressed}, reports already existing {ReportsAlreadyExisting}, left in work queue {LeftInWorkQueue}";

    private static (string? MessageId, string Reason) ReadEnvelope(string body)
    {
        try
        {
            using var envelope = JsonDocument.Parse(body);
            if (envelope.RootElement.ValueKind == JsonValueKind.Object
                && envelope.RootElement.TryGetProperty("reason", out var reason)
                && envelope.RootElement.TryGetProperty("message_id", out var id))
            {
                return (id.GetString(), reason.GetString() ?? "");
            }
        }
        catch (JsonException)
        {
            // Not an envelope: a body the platform moved itself.
        }

        return (null, "platform_poison");
    }
}
