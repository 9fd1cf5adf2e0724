namespace FunctionsApp.Reports;

/// <summary>The rule that keeps a report id usable as a blob name.</summary>
public static class ReportIds
{
    public static bool IsSafe(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0 || id.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
