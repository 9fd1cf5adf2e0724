namespace FunctionsApp.Dispatch;

/// <summary>Validates a work-queue message and runs the handler its action names.</summary>
public interface IWorkItemDispatcher
{
    /// <summary>
    /// Completes when the message was handled or dead-lettered; throws when it should be retried.
    /// </summary>
    Task DispatchAsync(ReceivedMessage message, CancellationToken cancellationToken);
}
