using FunctionsHost.LocalRun;

namespace FunctionsHost.Tests.Unit;

public sealed class LocalSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("local-settings-").FullName;

    [Fact]
    public void Read_ValuesConnectionStringsAndPort_AreAppSettings()
    {
        var path = Write("""
            {
              "IsEncrypted": false,
              "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "Dispatch__MaxMessageBytes": 65536, "Flag": true },
              "Host": { "LocalHttpPort": 7123 },
              "ConnectionStrings": { "Sql": "Server=x" }
            }
            """);

        var settings = LocalSettings.Read(path);

        Assert.Equal("UseDevelopmentStorage=true", settings.Values["AzureWebJobsStorage"]);
        Assert.Equal("65536", settings.Values["Dispatch__MaxMessageBytes"]);
        Assert.Equal("true", settings.Values["Flag"]);
        Assert.Equal("Server=x", settings.Values["ConnectionStrings:Sql"]);
        Assert.Equal(7123, settings.LocalHttpPort);
    }

    [Fact]
    public void Read_PortAsTextAndNoHostSection_ParsesOrLeavesPortUnset()
    {
        Assert.Equal(8080, LocalSettings.Read(Write("""{ "Values": {}, "Host": { "LocalHttpPort": "8080" } }""")).LocalHttpPort);
        Assert.Null(LocalSettings.Read(Write("""{ "Values": {} }""")).LocalHttpPort);
    }

    [Fact]
    public void Read_Encrypted_FailsSayingHowToDecrypt()
    {
        var path = Write("""{ "IsEncrypted": true, "Values": { "AzureWebJobsStorage": "Q2lwaGVy" } }""");

        var error = Assert.Throws<LocalRunException>(() => LocalSettings.Read(path));

        Assert.Contains("encrypted", error.Message, StringComparison.Ordinal);
        Assert.Contains("func settings decrypt", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Values": """, "not valid JSON")]
    [InlineData("""[1, 2]""", "JSON object")]
    [InlineData("""{ "Values": { "A": { "nested": 1 } } }""", "Values.A must be a string")]
    [InlineData("""{ "Values": [] }""", "\"Values\" must be an object")]
    [InlineData("""{ "Values": {}, "Host": { "LocalHttpPort": 70000 } }""", "LocalHttpPort must be a port number")]
    public void Read_Malformed_FailsNamingTheProblem(string json, string expected)
    {
        var path = Write(json);

        var error = Assert.Throws<LocalRunException>(() => LocalSettings.Read(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_ProjectFolderWithNeitherFile_FindsTheFileBesideHostJsonAbove()
    {
        // The repository's layout: host.json at the root, a project folder without it, the build's copies in bin/.
        File.WriteAllText(Path.Combine(directory, "host.json"), "{}");
        var project = Directory.CreateDirectory(Path.Combine(directory, "FunctionsApp")).FullName;
        var output = Directory.CreateDirectory(Path.Combine(project, "bin", "Debug", "net10.0")).FullName;
        File.WriteAllText(Path.Combine(output, "host.json"), "{}");

        Assert.Equal(Path.Combine(directory, "local.settings.json"), LocalSettings.Locate(project, output));
        Assert.Equal(Path.Combine(output, "local.settings.json"), LocalSettings.Locate(output, output));
    }

    [Fact]
    public void Locate_LocalSettingsInTheStartFolder_IsTakenBeforeAnyAbove()
    {
        File.WriteAllText(Path.Combine(directory, "host.json"), "{}");
        var project = Directory.CreateDirectory(Path.Combine(directory, "App")).FullName;
        File.WriteAllText(Path.Combine(project, "local.settings.json"), "{}");

        Assert.Equal(Path.Combine(project, "local.settings.json"), LocalSettings.Locate(project, "/elsewhere/bin"));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
