using System.Globalization;
using System.Text;
using Azure.Storage.Queues;

namespace FunctionsApp.Testing;

/// <summary>
/// A planned mix of work messages like users send: generate_report and send_notification, about
/// 10% invalid of four kinds, repeated report ids and idempotency keys, plain and base64 bodies;
/// and what the app must make of them (reports, outbox keys, dead letters with reasons).
/// </summary>
/// <remarks>
/// The pattern is fixed by position, so counts are exact and a failure is reproducible. Repeats
/// sit half the mix after their original, so the two are never in flight together: the README
/// allows two copies of a key handled at the same moment to both send, and this mix is not about
/// that race.
/// </remarks>
public sealed class WorkMix
{
    private WorkMix(IReadOnlyList<PlannedMessage> messages) => Messages = messages;

    public IReadOnlyList<PlannedMessage> Messages { get; }

    public int Invalid => Messages.Count(m => !m.IsValid);

    public int Valid => Messages.Count(m => m.IsValid);

    /// <summary>Valid messages repeating a report id sent earlier in the mix.</summary>
    public int RepeatedReports => Messages.Count(m => m.ReportId is not null) - ReportIds.Count;

    /// <summary>Valid messages repeating an idempotency key sent earlier in the mix.</summary>
    public int RepeatedKeys => Messages.Count(m => m.IdempotencyKey is not null) - Messages.Where(m => m.IdempotencyKey is not null).Select(m => m.IdempotencyKey).Distinct().Count();

    public IReadOnlySet<string> ReportIds => Messages.Where(m => m.ReportId is not null).Select(m => m.ReportId!).ToHashSet();

    /// <summary>Every key the outbox must hold exactly once (after sending: keyless messages use their message id).</summary>
    public IReadOnlySet<string> NotificationKeys => Messages.Where(m => m.IsNotification).Select(m => m.NotificationKey!).ToHashSet();

    /// <param name="count">A multiple of 20, so every kind and every repeat occurs.</param>
    /// <param name="runId">Prefixes ids and keys, so two mixes never share one.</param>
    public static WorkMix Create(int count, string runId)
    {
        if (count <= 0 || count % 20 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Use a positive multiple of 20.");
        }

        var half = count / 2;
        var messages = new List<PlannedMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var planned = Plan(i, half, runId, messages);
            messages.Add(i % 3 == 0 ? planned with { Text = Convert.ToBase64String(Encoding.UTF8.GetBytes(planned.Text)) } : planned);
        }

        return new WorkMix(messages);
    }

    /// <summary>Sends every message (several at a time, roughly in order) and records its message id.</summary>
    public async Task SendAsync(QueueClient queue, int parallelism = 16)
    {
        ArgumentNullException.ThrowIfNull(queue);
        await queue.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(
            Messages,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (message, cancellationToken) =>
            {
                var receipt = await queue.SendMessageAsync(message.Text, cancellationToken);
                message.MessageId = receipt.Value.MessageId;
            });
    }

    public string Describe() =>
        $"{Messages.Count} messages: {Valid} valid ({Messages.Count(m => m.ReportId is not null)} reports for {ReportIds.Count} ids, " +
        $"{Messages.Count(m => m.IsNotification)} notifications for {NotificationKeys.Count} keys), {Invalid} invalid " +
        $"({string.Join(", ", Messages.Where(m => !m.IsValid).GroupBy(m => m.ExpectedReason).Select(g => $"{g.Key} {g.Count()}"))}), " +
        $"{Messages.Count(m => !m.Text.StartsWith('{'))} base64";

    private static PlannedMessage Plan(int i, int half, string runId, List<PlannedMessage> earlier)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        if (i % 10 == 9)
        {
            return ((i / 10) % 4) switch
            {
                0 => new PlannedMessage(i, $$"""{"action":"generate_report","report_id":"{{runId}}-bad{{n}}" """, null, null, false, "invalid_json"),
                1 => new PlannedMessage(i, $$"""{"action":"launch_rocket","report_id":"{{runId}}-x{{n}}"}""", null, null, false, "unknown_action"),
                2 => (i / 40) % 2 == 0
                    ? new PlannedMessage(i, $$"""{"action":"generate_report","title":"no id {{n}}"}""", null, null, false, "missing_field")
                    : new PlannedMessage(i, $$"""{"action":"send_notification","message":"no user {{n}}"}""", null, null, false, "missing_field"),
                _ => new PlannedMessage(i, $$"""{"action":"generate_report","report_id":"../{{runId}}-r{{n}}"}""", null, null, false, "invalid_field"),
            };
        }

        // Repeats of a message half the mix earlier (never an invalid one: 3 and 4 are not 9).
        if (i >= half && i % 10 == 4)
        {
            var reportId = earlier[i - half].ReportId!;
            return new PlannedMessage(i, $$"""{"action":"generate_report","report_id":"{{reportId}}","title":"repeat {{n}}"}""", reportId, null, false, null);
        }

        if (i >= half && i % 10 == 3)
        {
            // The same user and key as the original: keys are scoped per user.
            var original = earlier[i - half];
            var key = original.IdempotencyKey!;
            var user = "u" + original.Index.ToString(CultureInfo.InvariantCulture);
            return new PlannedMessage(i, $$"""{"action":"send_notification","user_id":"{{user}}","message":"repeat {{n}}","idempotency_key":"{{key}}"}""", null, key, true, null);
        }

        if (i % 2 == 0)
        {
            var reportId = $"{runId}-r{n}";
            return new PlannedMessage(i, $$"""{"action":"generate_report","report_id":"{{reportId}}","title":"Report {{n}}","parameters":{"n":{{n}} } }""", reportId, null, false, null);
        }

        if (i % 10 == 7)
        {
            return new PlannedMessage(i, $$"""{"action":"send_notification","user_id":"u{{n}}","message":"no key {{n}}"}""", null, null, true, null);
        }

        var ownKey = $"{runId}-k{n}";
        return new PlannedMessage(i, $$"""{"action":"send_notification","user_id":"u{{n}}","message":"Build {{n}} finished","idempotency_key":"{{ownKey}}"}""", null, ownKey, true, null);
    }
}
