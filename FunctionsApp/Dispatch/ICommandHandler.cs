namespace FunctionsApp.Dispatch;

/// <summary>Carries out one kind of command. Throw to have the message retried.</summary>
/// <typeparam name="TCommand">The command this handler serves.</typeparam>
public interface ICommandHandler<in TCommand>
{
    Task HandleAsync(TCommand command, WorkItemContext context, CancellationToken cancellationToken);
}
