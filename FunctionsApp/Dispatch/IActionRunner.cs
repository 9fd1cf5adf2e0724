namespace FunctionsApp.Dispatch;

/// <summary>The way from a parsed message to one action's handler; registered under the action's name.</summary>
public interface IActionRunner
{
    Task RunAsync(ActionMessage message, ActionContext context, CancellationToken cancellationToken);
}
