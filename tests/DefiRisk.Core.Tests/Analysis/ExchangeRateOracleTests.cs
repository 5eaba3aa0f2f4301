using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// An exchange-rate oracle (CAPO adapter / the fixture's ExchangeRateAggregator) answers base feed × ratio / 10^18, floor.
/// Holding the snapshot proportion to the base instead (price × feed / base price) is a different floor whenever
/// base price × ratio is not a multiple of 10^18 — found while replaying cascades on chain, where each round sets the
/// WETH feed and the wstETH price follows by the contract's formula.
/// </summary>
public sealed class ExchangeRateOracleTests
{
    private static readonly BigInteger Ratio = BigInteger.Parse("1123456789012345678");

    [Fact]
    public void The_wstETH_oracle_in_a_shocked_round_is_the_WETH_oracle_times_the_ratio_floored()
    {
        // Snapshot price as the adapter reports it: 2000e8 × 1.123456789012345678 = 224691357802.469… → 224691357802.
        var wstEthPrice = Usd("2000") * Ratio / E(18);
        Assert.Equal(BigInteger.Parse("224691357802"), wstEthPrice);
        var assets = MiniMarket.Assets.Select(a => a.Address == WstEth
            ? a with { PriceUsd = wstEthPrice, Oracle = new AssetOracle(OracleKind.ExchangeRate, A(0xf3), Weth, Ratio) }
            : a).ToList();
        var snapshot = MiniMarket.Build([]) with { Assets = assets };

        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m));
        var round0 = result.Rounds[0].Prices;
        var weth = round0.Single(p => p.Asset == Weth).OraclePriceUsd;
        var wsteth = round0.Single(p => p.Asset == WstEth).OraclePriceUsd;
        Assert.Equal(weth * Ratio / E(18), wsteth);
        // The proportional rule would have answered one unit higher here: the test tells the two apart.
        Assert.NotEqual(wstEthPrice * weth / Usd("2000"), wsteth);
    }

    [Fact]
    public void A_ratio_that_does_not_reproduce_the_snapshot_price_keeps_the_snapshot_proportion()
    {
        // A capped adapter reports less than base × ratio: the snapshot price is what it answered, so it is scaled by the base move.
        var capped = Usd("2300");
        var assets = MiniMarket.Assets.Select(a => a.Address == WstEth
            ? a with { PriceUsd = capped, Oracle = new AssetOracle(OracleKind.ExchangeRate, A(0xf3), Weth, Ratio) }
            : a).ToList();
        var snapshot = MiniMarket.Build([]) with { Assets = assets };
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m));
        var weth = result.Rounds[0].Prices.Single(p => p.Asset == Weth).OraclePriceUsd;
        Assert.Equal(capped * weth / Usd("2000"), result.Rounds[0].Prices.Single(p => p.Asset == WstEth).OraclePriceUsd);
    }
}
