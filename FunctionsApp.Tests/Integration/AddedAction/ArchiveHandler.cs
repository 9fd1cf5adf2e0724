using System.Collections.Concurrent;
using FunctionsApp.Dispatch;

namespace FunctionsApp.Tests.Integration.AddedAction;

/// <summary>Step 3: the handler; it receives the command already validated.</summary>
public sealed class ArchiveHandler(ConcurrentQueue<(ArchiveCommand Command, string MessageId)> handled) : ICommandHandler<ArchiveCommand>
{
    public Task HandleAsync(ArchiveCommand command, WorkItemContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        handled.Enqueue((command, context.MessageId));
        return Task.CompletedTask;
    }
}
