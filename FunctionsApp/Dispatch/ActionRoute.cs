using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Dispatch;

/// <summary>Reads and validates a <typeparamref name="TCommand"/>, then hands it to its handler.</summary>
/// <typeparam name="TCommand">The command of this route's action.</typeparam>
public sealed class ActionRoute<TCommand> : IActionRoute
    where TCommand : IWorkCommand<TCommand>
{
    public async Task RouteAsync(JsonElement message, WorkItemContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
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
                $"The field '{field}' has the wrong type for action '{TCommand.Action}'.", ex);
        }

        if (command is null)
        {
            throw new PermanentFailureException(FailureReasons.NotAnObject, "The message must be a JSON object.");
        }

        command.Validate();
        var handler = services.GetRequiredService<ICommandHandler<TCommand>>();
        await handler.HandleAsync(command, context, cancellationToken).ConfigureAwait(false);
    }
}
