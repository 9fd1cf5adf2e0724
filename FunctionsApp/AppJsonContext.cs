using System.Text.Json.Serialization;
using FunctionsApp.Dispatch;
using FunctionsApp.Greeting;
using FunctionsApp.Notifications;
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
public sealed partial class AppJsonContext : JsonSerializerContext;
