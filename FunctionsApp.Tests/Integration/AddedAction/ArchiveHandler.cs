using System.Collections.Concurrent;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>Step 2: the handler; it receives the action already read and valid.</summary>
public sealed class ArchiveHandler(ConcurrentQueue<(ArchiveAction Action, string MessageId)> handled) : IActionHandler<ArchiveAction>
{
    public Task HandleAsync(ArchiveAction action, ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        handled.Enqueue((action, context.MessageId));
        return Task.CompletedTask;
    }
}
