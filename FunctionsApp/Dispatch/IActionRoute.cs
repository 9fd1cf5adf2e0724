using System.Text.Json;

namespace FunctionsApp.Dispatch;

/// <summary>The way from one action's JSON to its handler; registered under the action's name.</summary>
public interface IActionRoute
{
    Task RouteAsync(JsonElement message, WorkItemContext context, CancellationToken cancellationToken);
}
