using Azure.Storage.Queues.Models;

namespace FunctionsHost.Queues;

/// <summary>
/// Base of the WebJobs functions emitted for the app's queue triggers (see
/// <see cref="QueueFunctionTypes"/>): each emitted <c>Run</c> method only calls
/// <see cref="ForwardAsync"/> with its function's name.
/// </summary>
public abstract class QueueTriggerFunction
{
    /// <summary>Set by <see cref="ForwardingJobActivator"/> when WebJobs creates the instance.</summary>
    public QueueInvocationForwarder? Forwarder { get; set; }

    protected Task ForwardAsync(string functionName, QueueMessage message) =>
        (Forwarder ?? throw new InvalidOperationException("The queue function was created without a forwarder."))
            .ForwardAsync(functionName, message);
}
