namespace FunctionsHost.LocalRun;

/// <summary>A local run cannot start; the message is the one line the user sees, saying what to do.</summary>
public sealed class LocalRunException(string message, Exception? inner = null) : Exception(message, inner);
