using System.Text.Json;
using FunctionsApp.Diagnostics;

namespace FunctionsApp.Dispatch;

/// <summary>Reads and validates a <typeparamref name="TCommand"/>, then hands it to its handler.</summary>
/// <typeparam name="TCommand">The command of this route's action.</typeparam>
public sealed class ActionRoute<TCommand>(ICommandHandler<TCommand> handler) : IActionRoute
    where TCommand : IWorkCommand<TCommand>
{
    public async Task RouteAsync(JsonElement message, WorkItemContext context, CancellationToken cancellationToken)
    {
        TCommand? command;
        try
        {
            command = message.Deserialize(TCommand.JsonTypeInfo);
        }
        catch (JsonException ex)
        {
            // The reader names the offending field in its path, e.g. "$.report_id".
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "(unknown)";
            throw new PermanentFailureException(FailureReasons.InvalidField,
                $"The field {CallerText.Quote(field)} has the wrong type for action '{TCommand.Action}'.", ex);
        }

        if (command is null)
        {
            throw new PermanentFailureException(FailureReasons.NotAnObject, "The message must be a JSON object.");
        }

        command.Validate();
        await handler.HandleAsync(command, context, cancellationToken).ConfigureAwait(false);
    }
}
