using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace FunctionsApp.Json;

/// <summary>
/// The escaping of JSON the app writes for others: the HTML-sensitive characters
/// (<c>&lt; &gt; &amp; ' "</c> and <c>+</c>) escaped as the default encoder does, because the app
/// does not know who renders what it writes; letters of every script kept as they are.
/// </summary>
public static class OutgoingJson
{
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.Create(UnicodeRanges.All);
}
