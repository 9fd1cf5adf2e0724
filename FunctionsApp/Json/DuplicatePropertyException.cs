using System.Text.Json;

namespace FunctionsApp.Json;

/// <summary>JSON that names one property twice in an object: refused, since which value is meant is ambiguous.</summary>
public sealed class DuplicatePropertyException : JsonException
{
    public DuplicatePropertyException(string name, string objectPath, Exception? innerException)
        : base($"The property name appears twice in the object at {objectPath}.", innerException)
    {
        Name = name;
        ObjectPath = objectPath;
    }

    /// <summary>The repeated name, as the sender wrote it (caller text: quote it with CallerText).</summary>
    public string Name { get; }

    /// <summary>The JSON path of the object that holds it (<c>$</c>, <c>$.parameters</c>); holds caller text too.</summary>
    public string ObjectPath { get; }
}
