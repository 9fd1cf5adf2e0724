namespace FunctionsApp.Dispatch;

/// <summary>Reads a <typeparamref name="TAction"/> from the parsed message and hands it to its handler.</summary>
/// <typeparam name="TAction">The action this runner serves.</typeparam>
public sealed class ActionRunner<TAction>(IActionHandler<TAction> handler) : IActionRunner
    where TAction : IAction<TAction>
{
    public Task RunAsync(ActionMessage message, ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return handler.HandleAsync(TAction.Read(new ActionFields(TAction.Name, message.Root)), context, cancellationToken);
    }
}
