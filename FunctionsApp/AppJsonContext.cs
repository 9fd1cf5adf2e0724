using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using FunctionsApp.Dispatch;
using FunctionsApp.Greeting;
using FunctionsApp.Http;
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
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(ReplayReport))]
public sealed partial class AppJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the app uses. The default encoder writes <c>"</c> and <c>'</c> as <c>\u0022</c>
    /// and <c>\u0027</c>, which makes dead-letter envelopes (a JSON body inside JSON) hard to read;
    /// our JSON is never embedded in HTML, so the relaxed encoder is safe here.
    /// </summary>
    public static AppJsonContext Readable => ReadableHolder.Instance;

    // A nested holder, because static initializers in the generated half of this partial class
    // (which create Default) are not ordered against ours.
    private static class ReadableHolder
    {
        public static readonly AppJsonContext Instance =
            new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
