using FunctionsApp.Diagnostics;

namespace FunctionsApp.Tests.Unit.Diagnostics;

public sealed class CallerTextTests
{
    [Theory]
    [InlineData("x\nFAKE LOG LINE", @"'x\u000AFAKE LOG LINE'")]
    [InlineData("a\r\u001b[31mred", @"'a\u000D\u001B[31mred'")]
    [InlineData("abc\u202Egnp.exe", @"'abc\u202Egnp.exe'")]
    [InlineData("\u200B", @"'\u200B'")]
    [InlineData("line\u2028para\u2029next\u0085", @"'line\u2028para\u2029next\u0085'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"C:\u000A", @"'C:\\u000A'")]
    [InlineData("tag \U000E0041", @"'tag \uDB40\uDC41'")]
    public void Quote_UnsafeCharacters_AreEscapedAsUnicodeEscapes(string text, string expected)
    {
        Assert.Equal(expected, CallerText.Quote(text));
    }

    [Theory]
    [InlineData("generate_report")]
    [InlineData("rapport-été-日本")]
    [InlineData("😀 ok")]
    public void Escape_OrdinaryText_IsUnchanged(string text)
    {
        Assert.Equal(text, CallerText.Escape(text));
    }

    [Fact]
    public void Quote_LoneSurrogate_IsEscaped()
    {
        // Not in an InlineData: xUnit cannot carry a lone surrogate through its test case names.
        Assert.Equal(@"'lone \uD800 surrogate'", CallerText.Quote("lone " + (char)0xD800 + " surrogate"));
    }

    [Fact]
    public void Quote_Null_SaysNone()
    {
        Assert.Equal("(none)", CallerText.Quote(null));
    }

    [Fact]
    public void Escape_LongText_IsCutAndSaysHowMuchWasLeftOut()
    {
        var text = new string('a', 60 * 1024);

        var escaped = CallerText.Escape(text);

        Assert.StartsWith(new string('a', CallerText.DefaultMaxLength) + "...", escaped, StringComparison.Ordinal);
        Assert.EndsWith($"({text.Length - CallerText.DefaultMaxLength} more characters)", escaped, StringComparison.Ordinal);
        Assert.True(escaped.Length < 150, $"Expected a bounded text; it is {escaped.Length} characters.");
    }

    [Fact]
    public void Escape_CutInsideASurrogatePair_KeepsThePairWhole()
    {
        var text = new string('a', 9) + "😀" + "tail";

        var escaped = CallerText.Escape(text, maxLength: 10);

        Assert.StartsWith(new string('a', 9) + "...", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain(@"\uD83D", escaped, StringComparison.Ordinal);
    }
}
