using System.Text.Json;
using FunctionsApp.DeadLetters;
using FunctionsApp.Json;

namespace FunctionsApp.Tests.Unit.DeadLetters;

public sealed class QueueDeadLetterBrowserTests
{
    private const char High = '\uD83D';
    private const char Low = '\uDE00';

    // Built in code: a lone surrogate in an attribute argument does not survive compilation.
    public static TheoryData<string, string> Texts => new()
    {
        { "plain", "plain" },
        { $"pair {High}{Low} kept", $"pair {High}{Low} kept" },
        { $"lone {High} high", "lone \uFFFD high" },
        { $"lone {Low} low", "lone \uFFFD low" },
        { $"cut at the end {High}", "cut at the end \uFFFD" },
        { $"{Low}{High}", "\uFFFD\uFFFD" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void WellFormed_ReplacesOnlyLoneSurrogates(string text, string expected) =>
        Assert.Equal(expected, QueueDeadLetterBrowser.WellFormed(text));

    [Fact]
    public void Summary_OfAFieldCutInsideASurrogatePair_SerializesAsJson()
    {
        // A field bounded to 1,000 characters can end in half of a pair.
        var cut = (new string('x', QueueDeadLetterBrowser.MaxFieldChars - 1) + High + Low)[..QueueDeadLetterBrowser.MaxFieldChars] + "<";
        var summary = new DeadLetterSummary("id", null, QueueDeadLetterBrowser.WellFormed(cut), null, null, null, null, false, null, null, null);

        var json = JsonSerializer.Serialize(summary, OutgoingJson.Of(DeadLettersJsonContext.Default.DeadLetterSummary));

        Assert.Contains("x\uFFFD\\u003C", json, StringComparison.Ordinal);
    }
}
