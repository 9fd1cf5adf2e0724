using System.Text.Json;
using Azure.Storage.Queues.Models;
using FunctionsHost.Rpc;
using Google.Protobuf;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost.Queues;

/// <summary>
/// Turns a message the WebJobs queue listener delivered into an invocation of the app's function
/// in the worker, and throws when the worker reports a failure, so that the listener's own retry,
/// dequeue-count and poison-queue rules decide what happens to the message.
/// </summary>
public sealed class QueueInvocationForwarder(
    IReadOnlyList<WorkerFunction> functions, IFunctionInvoker invoker, TimeSpan functionTimeout)
{
    private readonly Dictionary<string, WorkerFunction> byName = functions.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>
    /// Runs the function on the message and throws when it failed. It takes no cancellation token:
    /// when the listener stops, the worker is not told to cancel (the Functions host lets in-flight
    /// work finish), so the wait is bounded by the function timeout (past it the host cancels the
    /// invocation and this throws, a failed attempt) and by the worker's life.
    /// </summary>
    public async Task ForwardAsync(string functionName, QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = ToInvocation(byName[functionName], message);
        var response = await invoker.InvokeAsync(functionName, request, functionTimeout);
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            throw new FunctionInvocationFailedException(functionName, response.Result?.Exception?.Message ?? "(no message)");
        }
    }

    public static InvocationRequest ToInvocation(WorkerFunction function, QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(message);
        var text = message.Body.ToString();
        var invocation = Invocations.New();
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerParameterName, Data = TriggerData(function, message, text) });
        invocation.TriggerMetadata["QueueTrigger"] = new TypedData { String = text };
        invocation.TriggerMetadata["Id"] = new TypedData { String = message.MessageId };
        invocation.TriggerMetadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        invocation.TriggerMetadata["DequeueCount"] = new TypedData { Json = JsonSerializer.Serialize(message.DequeueCount) };
        invocation.TriggerMetadata["InsertionTime"] = new TypedData { Json = JsonSerializer.Serialize(message.InsertedOn) };
        invocation.TriggerMetadata["ExpirationTime"] = new TypedData { Json = JsonSerializer.Serialize(message.ExpiresOn) };
        invocation.TriggerMetadata["NextVisibleTime"] = new TypedData { Json = JsonSerializer.Serialize(message.NextVisibleOn) };
        return invocation;
    }

    private static TypedData TriggerData(WorkerFunction function, QueueMessage message, string text)
    {
        if (!function.SupportsDeferredBinding)
        {
            // string or byte[] parameters take the message body itself.
            return string.Equals(function.TriggerDataType, "Binary", StringComparison.OrdinalIgnoreCase)
                ? new TypedData { Bytes = ByteString.CopyFrom(message.Body.ToArray()) }
                : new TypedData { String = text };
        }

        // SDK-type parameters (QueueMessage here) are built by the worker from the message's JSON.
        using var content = new MemoryStream();
        using (var json = new Utf8JsonWriter(content))
        {
            json.WriteStartObject();
            json.WriteString("MessageId", message.MessageId);
            json.WriteString("PopReceipt", message.PopReceipt);
            json.WriteString("MessageText", text);
            json.WriteNumber("DequeueCount", message.DequeueCount);
            WriteTime(json, "InsertedOn", message.InsertedOn);
            WriteTime(json, "ExpiresOn", message.ExpiresOn);
            WriteTime(json, "NextVisibleOn", message.NextVisibleOn);
            json.WriteEndObject();
        }

        return new TypedData
        {
            ModelBindingData = new ModelBindingData
            {
                Version = "1.0",
                Source = "AzureStorageQueues",
                ContentType = "application/json",
                Content = ByteString.CopyFrom(content.GetBuffer(), 0, (int)content.Length),
            },
        };
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
