using System.Text.Json;

namespace FunctionsApp.Dispatch;

/// <summary>
/// A queue message parsed, once: a JSON object with an action. Owns the parsed document; the
/// action's name, its fields and the trace context are all read from it.
/// </summary>
public sealed class ActionMessage(string action, JsonDocument document) : IDisposable
{
    /// <summary>The <c>action</c> field, exactly as sent (actions are case-sensitive).</summary>
    public string Action { get; } = action;

    /// <summary>The whole message object.</summary>
    public JsonElement Root => document.RootElement;

    public void Dispose() => document.Dispose();
}
