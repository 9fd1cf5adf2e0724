using System.Text;
using System.Text.Json;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// One row of the bad-input table: a message body and what must become of it, either an effect
/// (<see cref="ReportWritten"/>, <see cref="NotificationSent"/>) or a dead-letter reason code.
/// </summary>
/// <param name="Name">The row's name, shown in test results.</param>
/// <param name="Body">The message text, sent as is.</param>
/// <param name="Expected">A reason code from <c>FailureReasons</c>, or one of the two effects.</param>
public sealed record QueueInputCase(string Name, string Body, string Expected)
{
    public const string ReportWritten = "processed: report written";
    public const string NotificationSent = "processed: notification sent";

    /// <summary>The body is too large for its envelope and must be parked whole in a blob the envelope names.</summary>
    public bool BodyInBlob { get; init; }

    public bool IsDeadLettered => Expected is not (ReportWritten or NotificationSent);

    /// <summary>The report id of a <see cref="ReportWritten"/> row.</summary>
    public string ReportId()
    {
        // Plain JSON (perhaps after a byte order mark), or base64 of it (perhaps in lines).
        var text = Body.TrimStart('\uFEFF');
        if (!text.StartsWith('{'))
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(text)).TrimStart('\uFEFF');
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("report_id").GetString()!;
    }

    public override string ToString() => Name;
}
