using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace FunctionsApp.Json;

/// <summary>
/// The escaping of JSON the app writes for others: the HTML-sensitive characters
/// (<c>&lt; &gt; &amp; ' "</c> and <c>+</c>) escaped as the default encoder does, because the app
/// does not know who renders what it writes; letters of every script kept as they are.
/// </summary>
public static class OutgoingJson
{
    // One set of outgoing options per source-generated context's options, made on first use.
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> OutgoingOptions = new();

    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// A capability's source-generated metadata for <typeparamref name="T"/> (its context's
    /// <c>Default</c>), written with this escaping.
    /// </summary>
    public static JsonTypeInfo<T> Of<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var options = OutgoingOptions.GetValue(typeInfo.Options, static plain => new JsonSerializerOptions(plain) { Encoder = Encoder });
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
