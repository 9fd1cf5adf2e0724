using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FunctionsApp.Telemetry;

/// <summary>
/// The app's meter and its instruments: what happened to each message, greeting and replay, and
/// how long handlers take. Recording on an instrument nobody listens to returns at once.
/// </summary>
/// <remarks>
/// Names follow the OpenTelemetry naming rules (dotted, lowercase, no unit in the name, UCUM
/// units, counts as <c>{thing}</c>, durations in seconds); none of these counts has a semantic
/// convention of its own, so they live under <c>functionsapp.</c>. The meter comes from the
/// container's <see cref="IMeterFactory"/>, so each container (each test) has its own.
/// </remarks>
public sealed class AppMetrics
{
    private readonly Counter<long> processed;
    private readonly Counter<long> deadLettered;
    private readonly Counter<long> failedAttempts;
    private readonly Counter<long> retriesExhausted;
    private readonly Counter<long> duplicatesSuppressed;
    private readonly Counter<long> reportsAlreadyExisting;
    private readonly Counter<long> greetings;
    private readonly Counter<long> replayed;
    private readonly Histogram<double> handlerDuration;

    public AppMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(AppTelemetry.Name);
        processed = meter.CreateCounter<long>(Names.Processed, "{message}", "Messages handled successfully.");
        deadLettered = meter.CreateCounter<long>(Names.DeadLettered, "{message}", "Messages parked in the dead-letter queue, by reason.");
        failedAttempts = meter.CreateCounter<long>(Names.FailedAttempts, "{attempt}",
            "Attempts that failed with an error the platform retries (the last one included).");
        retriesExhausted = meter.CreateCounter<long>(Names.RetriesExhausted, "{message}",
            "Messages that failed on the last attempt host.json allows (also counted as dead-lettered, reason retries_exhausted).");
        duplicatesSuppressed = meter.CreateCounter<long>(Names.DuplicatesSuppressed, "{notification}",
            "Notifications not sent again because their idempotency key was sent before.");
        reportsAlreadyExisting = meter.CreateCounter<long>(Names.ReportsAlreadyExisting, "{report}",
            "generate_report messages whose report existed already (a redelivery or a repeat).");
        greetings = meter.CreateCounter<long>(Names.Greetings, "{request}", "Greeting requests, by HTTP status.");
        replayed = meter.CreateCounter<long>(Names.Replayed, "{message}", "Dead-lettered messages moved back to the work queue, by reason.");
        handlerDuration = meter.CreateHistogram(Names.HandlerDuration, "s", "How long an action's handler ran, by action and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60] });
    }

    /// <summary>The instruments' names, as the README's queries use them.</summary>
    public static class Names
    {
        public const string Processed = "functionsapp.messages.processed";
        public const string DeadLettered = "functionsapp.messages.dead_lettered";
        public const string FailedAttempts = "functionsapp.messages.failed_attempts";
        public const string RetriesExhausted = "functionsapp.messages.retries_exhausted";
        public const string DuplicatesSuppressed = "functionsapp.notifications.duplicates_suppressed";
        public const string ReportsAlreadyExisting = "functionsapp.reports.already_existing";
        public const string Greetings = "functionsapp.greetings";
        public const string Replayed = "functionsapp.messages.replayed";
        public const string HandlerDuration = "functionsapp.handler.duration";
    }

    /// <summary>True when someone listens to the handler duration: only then is the clock read.</summary>
    public bool TimesHandlers => handlerDuration.Enabled;

    public void Processed(string action) => processed.Add(1, Tags(action));

    public void DeadLettered(string? action, string reason) => deadLettered.Add(1, Tags(action, AppTelemetry.ReasonTag, reason));

    public void FailedAttempt(string? action, Exception error) =>
        failedAttempts.Add(1, Tags(action, AppTelemetry.ErrorTypeTag, error.GetType().FullName));

    public void RetriesExhausted(string? action) => retriesExhausted.Add(1, Tags(action));

    public void DuplicateSuppressed() => duplicatesSuppressed.Add(1);

    public void ReportAlreadyExisting() => reportsAlreadyExisting.Add(1);

    public void Greeting(int statusCode)
    {
        // The status code is boxed into its tag: only when someone listens.
        if (greetings.Enabled)
        {
            greetings.Add(1, new KeyValuePair<string, object?>(AppTelemetry.StatusCodeTag, statusCode));
        }
    }

    public void Replayed(string reason, int count)
    {
        if (count > 0)
        {
            replayed.Add(count, new KeyValuePair<string, object?>(AppTelemetry.ReasonTag, reason));
        }
    }

    /// <summary>Records a handler's run from <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void HandlerRan(string action, string outcome, long startedAt) =>
        handlerDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, Tags(action, AppTelemetry.OutcomeTag, outcome));

    /// <summary>
    /// The action (the name of a known one, or <see cref="AppTelemetry.OtherAction"/>; callers
    /// never pass caller text), absent when the message had none that could be read.
    /// </summary>
    private static TagList Tags(string? action, string? key = null, object? value = null)
    {
        var tags = default(TagList);
        if (action is not null)
        {
            tags.Add(AppTelemetry.ActionTag, action);
        }

        if (key is not null)
        {
            tags.Add(key, value);
        }

        return tags;
    }
}
