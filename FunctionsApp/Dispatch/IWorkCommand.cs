using System.Text.Json.Serialization.Metadata;

namespace FunctionsApp.Dispatch;

/// <summary>
/// A command carried by a queue message: it names its action, how it is read from JSON, and
/// which of its fields make it impossible to carry out.
/// </summary>
/// <typeparam name="TSelf">The command type itself.</typeparam>
public interface IWorkCommand<TSelf>
    where TSelf : IWorkCommand<TSelf>
{
    /// <summary>The value of the message's <c>action</c> field that selects this command.</summary>
    static abstract string Action { get; }

    /// <summary>Source-generated JSON metadata, so reading a command needs no reflection.</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }

    /// <summary>Throws <see cref="PermanentFailureException"/> for a missing or invalid field.</summary>
    void Validate();
}
