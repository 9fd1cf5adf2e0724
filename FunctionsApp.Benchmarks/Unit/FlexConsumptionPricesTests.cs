using FunctionsApp.Benchmarks;

namespace FunctionsApp.Tests.Unit.Benchmarks;

/// <summary>The benchmark's Flex Consumption arithmetic: it feeds the README's cost rows, so it is pinned here by hand-worked cases.</summary>
public sealed class FlexConsumptionPricesTests
{
    // Round numbers: $0.00002 per on-demand GB-s, $0.40 per million executions, 100,000 GB-s and
    // 250,000 executions free; always ready $0.000004 baseline and $0.000016 executing; 2,048 MB
    // (2 GB) instances; a $100 server.
    private static readonly FlexConsumptionPrices Prices = new(0.00002, 0.40, 100_000, 250_000, 0.000004, 0.000016, 2048, 100);

    [Fact]
    public void GbSecondsPerMillion_IsInstanceMemoryTimesTheTimeAMillionKeepsOneInstanceActive()
    {
        // 400 a second: a million keep an instance active 2,500 s; x 2 GB = 5,000 GB-s.
        Assert.Equal(5_000, Prices.GbSecondsPerMillion(400), 9);
        // A 512 MB instance at 100 a second: 10,000 s x 0.5 GB.
        Assert.Equal(5_000, (Prices with { InstanceMemoryMb = 512 }).GbSecondsPerMillion(100), 9);
    }

    [Fact]
    public void CostPerMillion_AddsTheExecutionsToTheMemoryTime()
    {
        // 5,000 GB-s x $0.00002 = $0.10, plus $0.40 for the executions.
        Assert.Equal(0.50, Prices.CostPerMillion(400), 12);
        // Twice as fast, half the GB-s: $0.05 + $0.40.
        Assert.Equal(0.45, Prices.CostPerMillion(800), 12);
    }

    [Fact]
    public void MonthCost_SubtractsBothFreeGrants()
    {
        // 10 million: 50,000 GB-s, inside the grant; 9.75 million billed executions x $0.40.
        Assert.Equal(3.90, Prices.MonthCost(10e6, 400), 9);
        // 100 million: 500,000 GB-s, 400,000 billed = $8; 99.75 million executions = $39.90.
        Assert.Equal(47.90, Prices.MonthCost(100e6, 400), 9);
        // Inside both grants, nothing.
        Assert.Equal(0, Prices.MonthCost(200_000, 400), 12);
    }

    [Fact]
    public void BreakEvenExecutions_IsWhereTheMonthCostsWhatTheServerCosts()
    {
        // Above both grants: (E x 0.005 - 100,000) x 0.00002 + (E - 250,000) x 0.0000004
        // = E x 0.0000005 - 2.10; equal to $100 at E = 102.10 / 0.0000005 = 204.2 million.
        Assert.Equal(204.2e6, Prices.BreakEvenExecutions(400), 1.5);
    }

    [Fact]
    public void AlwaysReady_BillsTheBaselineAllMonthAndExecutionsAtItsOwnRate()
    {
        // 2 GB x 730 h x 3,600 s x $0.000004 = $21.024.
        Assert.Equal(21.024, Prices.AlwaysReadyIdleMonth, 9);
        // 5,000 GB-s x $0.000016 = $0.08, plus $0.40 for the executions (no free grant).
        Assert.Equal(0.48, Prices.AlwaysReadyCostPerMillion(400), 12);
    }

    [Fact]
    public void GbSecondsPerMillion_NoThroughput_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Prices.GbSecondsPerMillion(0));
    }
}
