using System.Text.Json;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FunctionsHost;

/// <summary>
/// A function as the worker reported it (its indexed metadata), with the trigger binding read from
/// the raw binding JSON the way the Functions host reads it.
/// </summary>
public sealed class WorkerFunction
{
    private WorkerFunction(RpcFunctionMetadata metadata, IReadOnlyList<JsonElement> bindings)
    {
        Metadata = metadata;
        Trigger = bindings.SingleOrDefault(b => Text(b, "type") is { } type && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
        if (Trigger.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding: {string.Join(", ", metadata.RawBindings)}");
        }
    }

    public string Name => Metadata.Name;

    public string FunctionId => Metadata.FunctionId;

    public RpcFunctionMetadata Metadata { get; }

    public JsonElement Trigger { get; }

    /// <summary>The trigger type as declared, e.g. <c>httpTrigger</c> or <c>queueTrigger</c>.</summary>
    public string TriggerType => Text(Trigger, "type")!;

    /// <summary>The parameter name the worker expects the trigger input under.</summary>
    public string TriggerParameterName => Text(Trigger, "name") ?? throw new InvalidOperationException($"{Name}: trigger without a name.");

    public bool IsHttpTrigger => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueueTrigger => TriggerType.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP route template; the function name when none is declared, as in the Functions host.</summary>
    public string HttpRoute => Text(Trigger, "route") ?? Name;

    /// <summary>The allowed HTTP methods in lower case; empty means any.</summary>
    public IReadOnlyList<string> HttpMethods =>
        Property(Trigger, "methods") is { ValueKind: JsonValueKind.Array } methods
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).ToArray()
            : [];

    /// <summary>The queue name as declared, possibly a <c>%setting%</c> expression.</summary>
    public string? QueueNameExpression => Text(Trigger, "queueName");

    /// <summary>The connection setting name; AzureWebJobsStorage when none is declared.</summary>
    public string Connection => Text(Trigger, "connection") is { Length: > 0 } connection ? connection : "AzureWebJobsStorage";

    /// <summary>
    /// True when the trigger parameter is an SDK type (QueueMessage, BinaryData...): the worker then
    /// expects model binding data rather than the message text.
    /// </summary>
    public bool SupportsDeferredBinding =>
        Property(Trigger, "properties") is { ValueKind: JsonValueKind.Object } properties
        && Text(properties, "supportsDeferredBinding") is { } value
        && value.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The trigger's declared data type (<c>String</c>, <c>Binary</c>), if any.</summary>
    public string? TriggerDataType => Text(Trigger, "dataType");

    public static WorkerFunction FromMetadata(RpcFunctionMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var bindings = metadata.RawBindings.Select(raw =>
        {
            using var document = JsonDocument.Parse(raw);
            return document.RootElement.Clone();
        }).ToArray();
        return new WorkerFunction(metadata, bindings);
    }

    public override string ToString() => $"{Name} ({TriggerType})";

    /// <summary>A property by name, case-insensitively, as the Functions host reads binding and config JSON.</summary>
    internal static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;
}
