using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Reporting.Registry;

namespace DefiRisk.Reporting.Tests;

/// <summary>The report's Uniswap v3 part: its pools' table and the assumptions a v3 pool adds, only when the snapshot has v3 pools.</summary>
public sealed class UniswapV3ReportPartTests
{
    private static Snapshot WithV3(UniswapV3BitmapWords? words = null)
    {
        var s = ReportMarket.Build();
        // WETH/USDC at tick 200,311 (≈ $2,000; token0 = USDC): one range around the price.
        var state = new UniswapV3PoolState(TickMath.GetSqrtRatioAtTick(200_311), 200_311, BigInteger.Pow(10, 17), 500, 10,
            [new(199_000, BigInteger.Pow(10, 17)), new(201_000, -BigInteger.Pow(10, 17))], words);
        return new Snapshot(s.Chain, s.Assets, s.Books, [.. s.Venues, new UniswapV3Book([new(ReportMarket.A(0xd9), ReportMarket.Usdc, ReportMarket.Weth, state)])]);
    }

    [Fact]
    public void A_snapshot_with_v3_pools_states_the_v3_assumptions_and_lists_the_pools_with_their_price()
    {
        var bounded = WithV3(new UniswapV3BitmapWords(77, 79));
        var assumptions = ReportAssumptions.From(bounded, ReportingRegistry.Parts, SimulationOptions.Default);
        var range = Assert.Single(assumptions, a => a.Label == "Uniswap v3 tick range read");
        Assert.StartsWith("1 of 1 pools read within a window", range.Value);
        Assert.Contains(assumptions, a => a.Label == "Routing with v3 pools");
        Assert.Contains("Uniswap v3 pools", Assert.Single(assumptions, a => a.Label == "Liquidity source").Value);

        var whole = ReportAssumptions.From(WithV3(), ReportingRegistry.Parts, SimulationOptions.Default);
        Assert.StartsWith("every tick-bitmap word", Assert.Single(whole, a => a.Label == "Uniswap v3 tick range read").Value);

        var table = ReportingRegistry.Parts.Venues.Single(v => v.Venue == UniswapV3Book.Name).LiquidityTable(bounded);
        Assert.NotNull(table);
        var row = Assert.Single(table.Rows);
        // 1.0001^200311 × 10^(6 − 18) ≈ 0.0005 WETH per USDC: $2,000 a WETH.
        Assert.InRange(double.Parse(row[3].Plain, System.Globalization.CultureInfo.InvariantCulture), 0.000499, 0.000501);
        Assert.Equal("3 of " + (UniswapV3BitmapWords.All(10).Last - UniswapV3BitmapWords.All(10).First + 1), row[6].Plain);
    }

    [Fact]
    public void A_snapshot_without_v3_pools_adds_no_v3_assumption()
    {
        var assumptions = ReportAssumptions.From(ReportMarket.Build(), ReportingRegistry.Parts, SimulationOptions.Default);
        Assert.DoesNotContain(assumptions, a => a.Label.Contains("Uniswap v3", StringComparison.Ordinal) || a.Label.Contains("v3 pool", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("v3", Assert.Single(assumptions, a => a.Label == "Liquidity source").Value, StringComparison.Ordinal);
    }
}
