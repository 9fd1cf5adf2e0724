using System.Reflection;
using System.Reflection.Emit;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;

namespace FunctionsHost.Queues;

/// <summary>
/// Emits one WebJobs function type per queue-triggered function of the app, as the Functions host
/// does: a method <c>Run([QueueTrigger(queueName, Connection = ...)] QueueMessage message)</c>
/// named after the function, whose body forwards the message to the worker. The queue name is emitted as declared (<c>%Setting%</c>), so WebJobs
/// resolves it from the app settings with its own name resolver.
/// </summary>
public static class QueueFunctionTypes
{
    private static readonly MethodInfo Forward = typeof(QueueTriggerFunction).GetMethod(
        "ForwardAsync", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static IReadOnlyList<Type> Emit(IEnumerable<WorkerFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var assembly = AssemblyBuilder.DefineDynamicAssembly(
            new AssemblyName("WorkerHost.QueueFunctions" + Guid.NewGuid().ToString("N")), AssemblyBuilderAccess.RunAndCollect);
        var module = assembly.DefineDynamicModule("QueueFunctions");
        var types = new List<Type>();
        foreach (var function in functions)
        {
            var queueName = function.QueueNameExpression
                ?? throw new InvalidOperationException($"Queue function {function.Name} declares no queueName.");
            var type = module.DefineType(
                "WorkerHost.QueueFunctions." + function.Name,
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
                typeof(QueueTriggerFunction));
            type.DefineDefaultConstructor(MethodAttributes.Public);

            var run = type.DefineMethod("Run", MethodAttributes.Public, typeof(Task), [typeof(QueueMessage)]);
            run.SetCustomAttribute(new CustomAttributeBuilder(
                typeof(FunctionNameAttribute).GetConstructor([typeof(string)])!, [function.Name]));
            var message = run.DefineParameter(1, ParameterAttributes.None, "message");
            message.SetCustomAttribute(new CustomAttributeBuilder(
                typeof(QueueTriggerAttribute).GetConstructor([typeof(string)])!,
                [queueName],
                [typeof(QueueTriggerAttribute).GetProperty(nameof(QueueTriggerAttribute.Connection))!],
                [function.Connection]));

            // return this.ForwardAsync("<name>", message);
            var il = run.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldstr, function.Name);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Forward);
            il.Emit(OpCodes.Ret);

            types.Add(type.CreateType());
        }

        return types;
    }
}
