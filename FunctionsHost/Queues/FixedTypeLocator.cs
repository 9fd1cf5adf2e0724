using Microsoft.Azure.WebJobs;

namespace FunctionsHost.Queues;

/// <summary>Shows WebJobs exactly the emitted queue function types, rather than scanning assemblies.</summary>
public sealed class FixedTypeLocator(IReadOnlyList<Type> types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}
