using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.Deployment;

/// <summary>infra/main.bicep compiled once for a test class by the pinned Bicep CLI, as azd would compile it.</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    public static string MainBicep => Path.Combine(RepositoryPaths.Root, "infra", "main.bicep");

    /// <summary>What <c>bicep build</c> printed besides the template: its warnings and errors.</summary>
    public string Diagnostics { get; private set; } = "";

    public int ExitCode { get; private set; }

    /// <summary>The subscription-level template, with its parameters' defaults.</summary>
    public ArmTemplate Main { get; private set; } = null!;

    /// <summary>The resource-group module (infra/app.bicep) with the values main.bicep passes it.</summary>
    public ArmTemplate App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!LinuxX64FactAttribute.IsLinuxX64)
        {
            // The Bicep CLI restored here runs on Linux x64 only; the tests that need it are skipped there.
            return;
        }

        var (exitCode, output, errors) = await BicepCli.RunAsync("build", MainBicep, "--stdout");
        ExitCode = exitCode;
        Diagnostics = errors;
        if (exitCode == 0)
        {
            Main = ArmTemplate.Parse(output);
            App = Main.Module("app");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
