using System.Text;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The table of bad (and barely good) queue messages, each with the outcome a user must see:
/// processed, or dead-lettered with the reason code from the README's table.
/// </summary>
public static class BadQueueInputCases
{
    /// <summary>Azure Queue Storage refuses messages over 64 KiB; this stays well inside it.</summary>
    public const int LargeBodyBytes = 60 * 1024;

    // Report ids are blob names in a container of this run, but unique ones keep a failure readable.
    private static readonly string Run = Guid.NewGuid().ToString("N")[..12];

    public static IReadOnlyList<QueueInputCase> All { get; } =
    [
        new("empty body", "", FailureReasons.EmptyMessage),
        new("white space", " \t\r\n ", FailureReasons.EmptyMessage),
        new("JSON null", "null", FailureReasons.NotAnObject),
        new("JSON array", """[{"action":"generate_report","report_id":"r-in-array"}]""", FailureReasons.NotAnObject),
        new("JSON number", "42", FailureReasons.NotAnObject),
        new("JSON string", "\"generate_report\"", FailureReasons.NotAnObject),
        new("JSON nested 1,000 levels deep", NestedParameters(1000), FailureReasons.InvalidJson),
        new("unknown action with a 60 KiB payload of escaped quotes", LargeUnknownAction(), FailureReasons.UnknownAction) { BodyInBlob = true },
        // {"\xFF\xFE"}: valid base64, but what it encodes is not UTF-8.
        new("base64 of invalid UTF-8", Convert.ToBase64String([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), FailureReasons.InvalidEncoding),
        new("action in the wrong case", """{"action":"Generate_Report","report_id":"r-wrong-case"}""", FailureReasons.UnknownAction),
        new("no action", """{"report_id":"r-no-action"}""", FailureReasons.MissingAction),
        new("empty action", """{"action":"","report_id":"r-empty-action"}""", FailureReasons.MissingAction),
        new("action a number", """{"action":7}""", FailureReasons.InvalidField),
        new("action a lone surrogate escape", """{"action":"\ud800","report_id":"r-surrogate"}""", FailureReasons.InvalidField),
        new("extra unknown fields",
            $$$"""{"action":"generate_report","report_id":"extra-{{{Run}}}","priority":"high","tags":["a","b"],"nested":{"x":[1,{"y":null}]}}""",
            QueueInputCase.ReportWritten),
        new("report_id ../x", """{"action":"generate_report","report_id":"../x"}""", FailureReasons.InvalidField),
        new("report_id of 128 characters", Report(("max-" + Run).PadRight(128, 'x')), QueueInputCase.ReportWritten),
        new("report_id of 129 characters", Report(("long-" + Run).PadRight(129, 'x')), FailureReasons.InvalidField),
        new("report_id in Unicode", Report("rapport-été-日本"), FailureReasons.InvalidField),
        new("report_id a number", """{"action":"generate_report","report_id":42}""", FailureReasons.InvalidField),
        new("user_id a number", """{"action":"send_notification","user_id":7}""", FailureReasons.InvalidField),
        new("title an object", """{"action":"generate_report","report_id":"r-title","title":{"text":"x"}}""", FailureReasons.InvalidField),
        new("message of 1,000 Unicode characters",
            $$"""{"action":"send_notification","user_id":"u-{{Run}}","message":"{{new string('é', 1000)}}"}""",
            QueueInputCase.NotificationSent),
        new("report_id a lone surrogate escape", """{"action":"generate_report","report_id":"r-\ud800"}""", FailureReasons.InvalidField),
        new("title a lone surrogate escape", """{"action":"generate_report","report_id":"r-title-surrogate","title":"\udc00"}""", FailureReasons.InvalidField),
        new("user_id a lone surrogate escape", """{"action":"send_notification","user_id":"\ud800"}""", FailureReasons.InvalidField),
        new("message a lone surrogate escape", """{"action":"send_notification","user_id":"u-1","message":"hi \ud800"}""", FailureReasons.InvalidField),
        new("idempotency_key a lone surrogate escape", """{"action":"send_notification","user_id":"u-1","idempotency_key":"\ud800"}""", FailureReasons.InvalidField),
        new("parameters holding a lone surrogate escape", """{"action":"generate_report","report_id":"r-params","parameters":{"note":"\ud800"}}""",
            FailureReasons.InvalidField),
        new("parameters with a lone surrogate escape as a name", """{"action":"generate_report","report_id":"r-params","parameters":{"\ud800":1}}""",
            FailureReasons.InvalidField),
        new("base64 wrapped at 76 characters with LF", Wrapped(Report("wrapped-lf-" + Run + new string('x', 80)), "\n"), QueueInputCase.ReportWritten),
        new("base64 wrapped at 76 characters with CRLF", Wrapped(Report("wrapped-crlf-" + Run + new string('x', 80)), "\r\n"), QueueInputCase.ReportWritten),
        new("plain JSON after a byte order mark", "\uFEFF" + Report("bom-" + Run), QueueInputCase.ReportWritten),
        new("base64 of JSON after a byte order mark",
            Convert.ToBase64String([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(Report("bom64-" + Run))]), QueueInputCase.ReportWritten),
        new("report_id twice", """{"action":"generate_report","report_id":"r-a","report_id":"r-b"}""", FailureReasons.InvalidJson),
        new("a key twice inside parameters", """{"action":"generate_report","report_id":"r-p","parameters":{"week":1,"week":2}}""", FailureReasons.InvalidJson),
        new("base64 of JSON with report_id twice",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"action":"generate_report","report_id":"r-a","report_id":"r-b"}""")), FailureReasons.InvalidJson),
        new("action with a newline and a bidi override", "{\"action\":\"x\\nFAKE LOG LINE\\u202E\"}", FailureReasons.UnknownAction),
        new("base64 with a space inside", "eyJhY3Rpb24i OiJnZW5lcmF0ZV9yZXBvcnQifQ==", FailureReasons.InvalidJson),
        new("message of 1,001 characters",
            $$"""{"action":"send_notification","user_id":"u-{{Run}}","message":"{{new string('m', 1001)}}"}""",
            FailureReasons.InvalidField),
    ];

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var row in All)
        {
            names.Add(row.Name);
        }

        return names;
    }

    public static QueueInputCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>Base64 wrapped in lines of 76, as coreutils' base64 and Python's base64.encodebytes write it.</summary>
    private static string Wrapped(string json, string lineBreak)
    {
        var flat = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        return string.Join(lineBreak, flat.Chunk(76).Select(line => new string(line))) + lineBreak;
    }

    private static string Report(string reportId) => $$"""{"action":"generate_report","report_id":"{{reportId}}"}""";

    /// <summary>A generate_report whose parameters nest objects until the document is <paramref name="depth"/> levels deep.</summary>
    private static string NestedParameters(int depth)
    {
        // The root and "parameters" are two levels; each {"a": adds one more.
        var inner = depth - 2;
        return new StringBuilder("""{"action":"generate_report","report_id":"r-deep","parameters":{""")
            .Append(string.Concat(Enumerable.Repeat("\"a\":{", inner)))
            .Append(new string('}', inner))
            .Append("}}")
            .ToString();
    }

    /// <summary>
    /// An unknown action whose payload is mostly escaped quotes: the body fits in a queue message,
    /// but escaped once more inside its envelope it would not.
    /// </summary>
    private static string LargeUnknownAction()
    {
        const string Prefix = "{\"action\":\"archive_everything\",\"payload\":\"";
        const string Suffix = "\"}";
        const string Unit = "\\\"q\\\" ";
        var body = new StringBuilder(Prefix);
        while (body.Length + Unit.Length + Suffix.Length <= LargeBodyBytes)
        {
            body.Append(Unit);
        }

        return body.Append(Suffix).ToString();
    }
}
