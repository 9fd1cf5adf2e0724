using FunctionsApp.Benchmarks;

namespace FunctionsApp.Tests.Unit.Benchmarks;

/// <summary>The benchmark's pricing arithmetic: it feeds the README's cost rows, so it is pinned here.</summary>
public sealed class ConsumptionPricesTests
{
    // Round numbers: $0.00001 per GB-s, $0.20 per million executions, 400,000 GB-s and a million
    // executions free, a $100 server.
    private static readonly ConsumptionPrices Prices = new(0.00001, 0.20, 400_000, 1_000_000, 10_000_000, 100);

    [Fact]
    public void Cost_BillsMemoryIn128MbStepsAndAtLeast100MsPerExecution()
    {
        // 101 MB -> 128 MB = 0.125 GB; 30 ms -> 100 ms: 0.0125 GB-s per execution.
        var (gbSecondsPer1000, per1000, perMonth) = Prices.Cost(101, 0.030);

        Assert.Equal(12.5, gbSecondsPer1000, 9);
        Assert.Equal((12.5 * 0.00001) + 0.0002, per1000, 12);
        // 10 million: 125,000 GB-s (inside the free grant) and 9 million billed executions.
        Assert.Equal(9 * 0.20, perMonth, 9);
    }

    [Fact]
    public void Cost_LongerExecutionsAndMoreMemoryAreBilledAsMeasured()
    {
        // 130 MB -> 256 MB = 0.25 GB; 250.2 ms -> 251 ms.
        var (gbSecondsPer1000, _, perMonth) = Prices.Cost(130, 0.2502);

        Assert.Equal(0.25 * 0.251 * 1000, gbSecondsPer1000, 9);
        // 10 million: 627,500 GB-s, of which 227,500 are billed, and 9 million billed executions.
        Assert.Equal((227_500 * 0.00001) + (9 * 0.20), perMonth, 9);
    }

    [Fact]
    public void BreakEvenExecutions_IsWhereTheMonthCostsWhatTheServerCosts()
    {
        var executions = Prices.BreakEvenExecutions(101, 0.030);

        // Above both free grants each execution costs 0.0125 x $0.00001 + $0.0000002 = $0.000000325:
        // $100 = (E x 0.0125 - 400,000) x 0.00001 + (E - 1,000,000) x 0.0000002.
        var expected = (100 + (400_000 * 0.00001) + (1_000_000 * 0.0000002)) / ((0.0125 * 0.00001) + 0.0000002);
        Assert.Equal(expected, executions, 1.5);
        Assert.True(executions > Prices.ExecutionsPerMonth, "10 million a month costs $1.80, less than the server");
    }
}
