namespace FunctionsApp.Dispatch;

/// <summary>
/// An action a queue message can ask for, as the typed value its handler receives: it names
/// itself on the wire and reads itself, valid, from the message the dispatcher parsed.
/// </summary>
/// <typeparam name="TSelf">The action type itself.</typeparam>
public interface IAction<TSelf>
    where TSelf : IAction<TSelf>
{
    /// <summary>The value of the message's <c>action</c> field that selects this action.</summary>
    static abstract string Name { get; }

    /// <summary>
    /// Reads the action's fields from the parsed message and checks them; throws
    /// <see cref="PermanentFailureException"/> for a field that is missing, of the wrong type or invalid,
    /// so whatever it returns is valid and its handler checks nothing again.
    /// </summary>
    static abstract TSelf Read(ActionFields fields);
}
