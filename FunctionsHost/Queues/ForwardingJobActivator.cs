using Microsoft.Azure.WebJobs.Host;

namespace FunctionsHost.Queues;

/// <summary>Creates the emitted queue functions and gives each the forwarder of its host.</summary>
public sealed class ForwardingJobActivator(QueueInvocationForwarder forwarder) : IJobActivator
{
    public T CreateInstance<T>()
    {
        var instance = Activator.CreateInstance<T>();
        if (instance is QueueTriggerFunction function)
        {
            function.Forwarder = forwarder;
        }

        return instance;
    }
}
