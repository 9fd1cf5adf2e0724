namespace FunctionsApp.Dispatch;

/// <summary>Carries out one action. Throw to have the message retried.</summary>
/// <typeparam name="TAction">The action this handler serves, already read and valid.</typeparam>
public interface IActionHandler<in TAction>
{
    Task HandleAsync(TAction action, ActionContext context, CancellationToken cancellationToken);
}
