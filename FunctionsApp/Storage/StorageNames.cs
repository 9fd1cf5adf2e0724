namespace FunctionsApp.Storage;

/// <summary>Naming rules Azure Storage imposes on queues and blob containers.</summary>
public static class StorageNames
{
    /// <summary>
    /// 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a
    /// letter or digit: the rule queues and containers share.
    /// </summary>
    public const string QueueOrContainerPattern = "^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$";
}
