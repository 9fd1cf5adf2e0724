using System.Diagnostics;

namespace FunctionsApp.Telemetry;

/// <summary>
/// The names the app's telemetry is found by: its trace source and meter (both named after the
/// app), the dispatch span's name and tags, and the tag values they share with the metrics.
/// </summary>
/// <remarks>
/// Tags follow the OpenTelemetry semantic conventions where one exists (messaging.*, error.type,
/// http.response.status_code); the app's own are under <c>functionsapp.</c>. The Kusto queries in
/// the README use these names; a test keeps the two in step.
/// </remarks>
public static class AppTelemetry
{
    /// <summary>The name of the app's <see cref="ActivitySource"/> and of its meter.</summary>
    public const string Name = "FunctionsApp";

    /// <summary>
    /// The app's spans. Starting an activity on a source nobody listens to returns null at the cost
    /// of a field read, so with telemetry off the dispatcher pays nothing for it.
    /// </summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>The operation part of the dispatch span's name, <c>process &lt;queue&gt;</c>, as the messaging conventions name a consumer's span.</summary>
    public const string ProcessOperation = "process";

    /// <summary>
    /// Azure Queue Storage has no registered <c>messaging.system</c> value; this one says which
    /// service it is in the conventions' style.
    /// </summary>
    public const string MessagingSystem = "azure_queue";

    public const string MessagingSystemTag = "messaging.system";
    public const string OperationNameTag = "messaging.operation.name";
    public const string OperationTypeTag = "messaging.operation.type";
    public const string DestinationTag = "messaging.destination.name";
    public const string MessageIdTag = "messaging.message.id";
    public const string ErrorTypeTag = "error.type";
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The message's action: on the span, the action as sent (escaped, bounded); on metrics, the name of a known action or <see cref="OtherAction"/>.</summary>
    public const string ActionTag = "functionsapp.action";
    public const string DequeueCountTag = "functionsapp.message.dequeue_count";

    /// <summary>One of <see cref="Outcomes"/>.</summary>
    public const string OutcomeTag = "functionsapp.outcome";

    /// <summary>The dead-letter reason, one of the reason codes of FailureReasons (or, for a replay, platform_poison).</summary>
    public const string ReasonTag = "functionsapp.dead_letter.reason";

    /// <summary>
    /// The metric value of an action that no route knows. Actions are caller text: as a metric
    /// dimension an unknown one would let any sender add series without end (the conventions use
    /// the same word for an unknown HTTP method).
    /// </summary>
    public const string OtherAction = "_OTHER";

    /// <summary>How a message's attempt ended.</summary>
    public static class Outcomes
    {
        public const string Processed = "processed";
        public const string DeadLettered = "dead_lettered";
        public const string Failed = "failed";
        public const string Cancelled = "cancelled";
    }
}
