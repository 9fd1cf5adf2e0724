using FunctionsHost.Http;
using FunctionsHost.Rpc;

namespace FunctionsHost.Tests.Unit;

/// <summary>host.json's functionTimeout as the host reads it, and the HTTP forwarder's limit that follows from it.</summary>
public sealed class FunctionTimeoutSettingTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("host-json-").FullName;

    [Theory]
    [InlineData("00:05:00", 300)]
    [InlineData("00:00:01", 1)]
    [InlineData("00:03:20", 200)]
    [InlineData("01:30:00", 5400)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("5", 5 * 86400)] // a bare number is days, as TimeSpan reads it in the Functions host too
    public void Parse_TimeSpanForms_AreThatLong(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), FunctionTimeoutSetting.Parse(value, "host.json"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_Absent_IsTheHostsDefaultOfThirtyMinutes(string? value)
    {
        Assert.Equal(TimeSpan.FromMinutes(30), FunctionTimeoutSetting.Parse(value, "host.json"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-1.00:00:00")]
    public void Parse_MinusOne_IsNoLimit(string value)
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, FunctionTimeoutSetting.Parse(value, "host.json"));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("-00:05:00")]
    [InlineData("-2")]
    public void Parse_BelowOneSecond_IsRefusedWithTheMinimum(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionTimeoutSetting.Parse(value, "app/host.json"));

        Assert.Contains("app/host.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:01", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("five minutes")]
    [InlineData("00:61:00")]
    [InlineData("5m")]
    public void Parse_NotATimeSpan_IsRefusedSayingTheForm(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionTimeoutSetting.Parse(value, "app/host.json"));

        Assert.Contains("app/host.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("hh:mm:ss", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HostJsonWithCommentsAndTheSetting_ReadsIt()
    {
        var path = Write("""
            {
              // the Functions host reads host.json with comments allowed
              "version": "2.0",
              "functionTimeout": "00:02:30",
            }
            """);

        Assert.Equal(TimeSpan.FromSeconds(150), FunctionTimeoutSetting.Read(path));
    }

    [Fact]
    public void Read_HostJsonWithoutTheSetting_IsTheDefault()
    {
        var path = Write("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 4 } } }""");

        Assert.Equal(FunctionTimeoutSetting.Default, FunctionTimeoutSetting.Read(path));
    }

    [Fact]
    public void Read_HostJsonThatIsNotJson_IsRefusedNamingTheFile()
    {
        var path = Write("""{ "functionTimeout": """);

        var error = Assert.Throws<InvalidOperationException>(() => FunctionTimeoutSetting.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TheAppsHostJson_IsFiveMinutes()
    {
        // The value the README explains; the host now enforces it.
        Assert.Equal(TimeSpan.FromMinutes(5), FunctionTimeoutSetting.Read(Path.Combine(RepositoryPaths.Root, "host.json")));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(200)] // the replay's largest time budget
    [InlineData(300)] // the app's host.json
    [InlineData(1800)] // the default
    public void ActivityTimeoutFor_AnyFunctionTimeout_IsLongerThanIt(int seconds)
    {
        var functionTimeout = TimeSpan.FromSeconds(seconds);

        Assert.True(HttpProxy.ActivityTimeoutFor(functionTimeout) > functionTimeout,
            $"The forwarder would cut off a request at {HttpProxy.ActivityTimeoutFor(functionTimeout)}, within the function timeout {functionTimeout}.");
    }

    [Fact]
    public void ActivityTimeoutFor_NoLimitOrBeyondWhatTheForwarderCounts_IsNoLimit()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, HttpProxy.ActivityTimeoutFor(Timeout.InfiniteTimeSpan));
        Assert.Equal(Timeout.InfiniteTimeSpan, HttpProxy.ActivityTimeoutFor(TimeSpan.FromDays(30)));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
