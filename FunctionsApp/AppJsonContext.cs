using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using FunctionsApp.DeadLetters;
using FunctionsApp.Dispatch;
using FunctionsApp.Greeting;
using FunctionsApp.Json;
using FunctionsApp.Notifications;
using FunctionsApp.Replay;
using FunctionsApp.Reports;

namespace FunctionsApp;

/// <summary>
/// Source-generated JSON for every type the app reads or writes; snake_case as in the messages
/// users send (<c>report_id</c>, <c>user_id</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GenerateReportCommand))]
[JsonSerializable(typeof(ReportDocument))]
[JsonSerializable(typeof(SendNotificationCommand))]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(DeadLetterEnvelope))]
[JsonSerializable(typeof(GreetingReply))]
[JsonSerializable(typeof(ReplayReport))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(DeadLetterCursor))]
[JsonSerializable(typeof(DeadLetterPage))]
[JsonSerializable(typeof(DeadLetterDetail))]
[JsonSerializable(typeof(DeadLetterSummary))]
public sealed partial class AppJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context for what the app writes for others (HTTP answers, outbox notifications, reports)
    /// and for everything it reads. It escapes the HTML-sensitive characters (<c>&lt; &gt; &amp; ' "</c>
    /// and <c>+</c>, as <c>\u003C</c> and so on) like the default encoder, because the app does not know
    /// who renders what it writes; unlike the default, letters of every script stay as they are.
    /// </summary>
    public static AppJsonContext Outgoing => OutgoingHolder.Instance;

    /// <summary>
    /// The context for dead-letter envelopes only. An envelope carries a JSON body inside JSON: with
    /// the default escaping every quote of the body becomes <c>\u0022</c>, and an operator reading it
    /// in a queue browser cannot see the message that failed. Envelopes are read by the app and by
    /// operators' tools, never embedded in a page as they are (the envelope is text to them), so
    /// relaxed escaping is kept here and nowhere else.
    /// </summary>
    public static AppJsonContext Envelope => EnvelopeHolder.Instance;

    // Nested holders, because static initializers in the generated half of this partial class
    // (which create Default) are not ordered against ours.
    private static class OutgoingHolder
    {
        public static readonly AppJsonContext Instance =
            new(new JsonSerializerOptions(Default.Options) { Encoder = OutgoingJson.Encoder });
    }

    private static class EnvelopeHolder
    {
        public static readonly AppJsonContext Instance =
            new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
