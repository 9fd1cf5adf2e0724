using System.Diagnostics;
using System.Text.Json;

namespace FunctionsApp.Tests.Deployment;

/// <summary>
/// What a Release publish of the app produces, as MSBuild evaluates it: `dotnet publish -c Release`
/// (and `azd deploy`, which runs it) is ReadyToRun for Linux x64, the code Flex Consumption runs; a
/// build is not, and a publish that asks for something else gets it.
/// </summary>
[Trait("Category", "Infrastructure")]
public sealed class PublishSettingsTests
{
    [Fact]
    public async Task ReleasePublish_IsReadyToRunForLinuxX64FrameworkDependent()
    {
        var properties = await EvaluateAsync("-p:_IsPublishing=true", "-p:Configuration=Release");

        Assert.Equal(("true", "linux-x64", "false"), (properties["PublishReadyToRun"], properties["RuntimeIdentifier"], properties["SelfContained"]));
    }

    [Fact]
    public async Task ReleaseBuild_StaysPortable()
    {
        var properties = await EvaluateAsync("-p:Configuration=Release");

        Assert.Equal(("", ""), (properties["PublishReadyToRun"], properties["RuntimeIdentifier"]));
    }

    [Fact]
    public async Task PublishForAnotherRuntimeOrWithoutReadyToRun_KeepsWhatItAsked()
    {
        var other = await EvaluateAsync("-p:_IsPublishing=true", "-p:Configuration=Release", "-p:RuntimeIdentifier=linux-arm64");
        var plain = await EvaluateAsync("-p:_IsPublishing=true", "-p:Configuration=Release", "-p:PublishReadyToRun=false");

        Assert.Equal(("", "linux-arm64"), (other["PublishReadyToRun"], other["RuntimeIdentifier"]));
        Assert.Equal("false", plain["PublishReadyToRun"]);
    }

    /// <summary>The publish properties of FunctionsApp.csproj as MSBuild evaluates them with <paramref name="arguments"/>.</summary>
    internal static async Task<Dictionary<string, string>> EvaluateAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in new[] { "msbuild", Path.Combine("FunctionsApp", "FunctionsApp.csproj"), "-getProperty:PublishReadyToRun", "-getProperty:RuntimeIdentifier", "-getProperty:SelfContained" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet msbuild failed ({process.ExitCode}): {output} {error}");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
