using System.Text.Json;

namespace FunctionsApp.Dispatch;

/// <summary>A message that is a JSON object with an action; owns the parsed document.</summary>
public sealed class ParsedWorkItem(string action, JsonDocument document) : IDisposable
{
    /// <summary>The <c>action</c> field, exactly as sent (actions are case-sensitive).</summary>
    public string Action { get; } = action;

    /// <summary>The whole message object; commands read their fields from it.</summary>
    public JsonElement Root => document.RootElement;

    public void Dispose() => document.Dispose();
}
