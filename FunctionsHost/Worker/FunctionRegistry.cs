using System.Collections.Concurrent;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Worker;

/// <summary>
/// The one place function names meet function ids. Triggers name a function; a worker indexes its
/// functions under ids of its own, so a replacement worker may answer to new ones. This registry
/// holds the functions of the worker in service (name -> current id) and remembers the names of
/// every id any worker used, so past invocations can still be told apart by function.
/// </summary>
internal sealed class FunctionRegistry
{
    private readonly ConcurrentDictionary<string, string> namesById = new(StringComparer.Ordinal);

    // Replaced whole on each publish, so a reader sees one worker's list and lookup together.
    private volatile Reported current = new([], new Dictionary<string, WorkerFunction>());

    /// <summary>The functions of the worker in service, in the order it reported them.</summary>
    public IReadOnlyList<WorkerFunction> Functions => current.InOrder;

    /// <summary>Makes <paramref name="reported"/> (a newly started worker's functions) the current ones.</summary>
    public void Publish(IReadOnlyList<WorkerFunction> reported)
    {
        ArgumentNullException.ThrowIfNull(reported);
        foreach (var function in reported)
        {
            namesById[function.FunctionId] = function.Name;
        }

        current = new Reported(reported, reported.ToDictionary(f => f.Name, StringComparer.Ordinal));
    }

    /// <summary>The function of the worker in service called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">The worker reported no such function.</exception>
    public WorkerFunction Function(string name)
    {
        var reported = current;
        return reported.ByName.TryGetValue(name, out var function)
            ? function
            : throw new InvalidOperationException($"The worker reported no function {name}; it reported: {string.Join(", ", reported.InOrder)}.");
    }

    /// <summary>
    /// Addresses <paramref name="request"/> to the function called <paramref name="name"/> under the
    /// id the worker in service gave it, whatever id the request carried.
    /// </summary>
    public void Address(InvocationRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.FunctionId = Function(name).FunctionId;
    }

    /// <summary>The name of the function any worker, present or past, indexed under <paramref name="functionId"/>.</summary>
    public bool TryGetName(string functionId, out string name) => namesById.TryGetValue(functionId, out name!);

    private sealed record Reported(IReadOnlyList<WorkerFunction> InOrder, Dictionary<string, WorkerFunction> ByName);
}
