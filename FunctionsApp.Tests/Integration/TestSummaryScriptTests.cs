using System.Diagnostics;

namespace FunctionsApp.Tests.Integration;

/// <summary>
/// scripts/test-summary.mjs, which gives CI its line "N passed, N failed" from the TRX files of a
/// run: true whatever the console showed, and never a passing line for a run that failed.
/// </summary>
public sealed class TestSummaryScriptTests : IDisposable
{
    private readonly DirectoryInfo results = Directory.CreateTempSubdirectory("trx-summary-");

    public void Dispose() => results.Delete(recursive: true);

    private void WriteTrx(string name, int total, int passed, int failed, int error = 0) =>
        File.WriteAllText(Path.Combine(results.FullName, name), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <ResultSummary outcome="{(failed + error == 0 ? "Completed" : "Failed")}">
                <Counters total="{total}" executed="{total}" passed="{passed}" failed="{failed}" error="{error}" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
              </ResultSummary>
            </TestRun>
            """);

    private async Task<(int ExitCode, string LastLine)> SummarizeAsync(int dotnetTestStatus)
    {
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(RepositoryPaths.Root, "scripts", "test-summary.mjs"), results.FullName, dotnetTestStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public async Task Summary_AllPassed_PrintsPassingLineAndSucceeds()
    {
        WriteTrx("summary_net10.0_20261130.trx", total: 57, passed: 57, failed: 0);

        var (exitCode, line) = await SummarizeAsync(0);

        Assert.Equal("57 passed, 0 failed", line);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Summary_FailuresAndErrors_AreCounted()
    {
        WriteTrx("summary_net10.0_20261130.trx", total: 10, passed: 7, failed: 2, error: 1);

        var (exitCode, line) = await SummarizeAsync(1);

        Assert.Equal("7 passed, 3 failed", line);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Summary_SeveralReports_AreSummedAndOthersIgnored()
    {
        WriteTrx("summary_a.trx", total: 3, passed: 3, failed: 0);
        WriteTrx("summary_b.trx", total: 4, passed: 4, failed: 0);
        // A TRX the caller asked for with --logger trx: not ours, not counted twice.
        WriteTrx("mine.trx", total: 7, passed: 7, failed: 0);

        Assert.Equal("7 passed, 0 failed", (await SummarizeAsync(0)).LastLine);
    }

    [Fact]
    public async Task Summary_NoTestRan_NeverPrintsAPassingLine()
    {
        WriteTrx("summary_net10.0_20261130.trx", total: 0, passed: 0, failed: 0);

        var (exitCode, line) = await SummarizeAsync(0);

        Assert.Equal("0 passed, 1 failed", line);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Summary_NoReportAfterAFailedBuild_CountsAFailure()
    {
        var (exitCode, line) = await SummarizeAsync(1);

        Assert.Equal("0 passed, 1 failed", line);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Summary_NonZeroExitWithoutFailedTests_CountsAFailure()
    {
        WriteTrx("summary_net10.0_20261130.trx", total: 5, passed: 5, failed: 0);

        var (exitCode, line) = await SummarizeAsync(1);

        Assert.Equal("5 passed, 1 failed", line);
        Assert.NotEqual(0, exitCode);
    }
}
