using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;
using DefiRisk.Core.Tests.Venues.UniswapV3;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.External;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Venues;

/// <summary>
/// What calls sized for profit skip their quotes on (<c>CallSizing.SmallerMayEarnMore</c>, the desks' <c>ProfitCeilingUsd</c>):
/// no venue pays more for a sale than the amount at its marginal price before the sale, <see cref="ExactPoolState.Spot"/>,
/// times its <see cref="ExactPoolState.SpotCeilingFactor"/> (the fast path: its snapshot spot × <see cref="FastPoolState.PriceMove"/>
/// × its factor). Each venue kind, both directions, amounts from one base unit to past the pool's depth, at the snapshot and
/// after a trade the other way has moved it — where an external book fills the first units at the far side of its spread,
/// above its mid: without the factor that case fails (a 1-unit sale after a buy fills 0.1 % above the mid).
/// </summary>
public sealed class SpotCeilingTests
{
    public static TheoryData<string> Venues => ["v2", "v3", "external"];

    private static ITradablePool Pool(string kind) => kind switch
    {
        "v2" => MiniMarket.WethUsdcPool,
        "v3" => UniswapV3VenueTests.WethUsdc(),
        _ => new ExternalMarketPool(Weth, Usdc, 2000 * E(6), E(18),
            new ExternalDepthCurve([new(0, 1_000), new(100 * E(18), 11_000), new(300 * E(18), 51_000)]), "test curve"),
    };

    [Theory]
    [MemberData(nameof(Venues))]
    public void No_sale_pays_more_than_the_amount_at_the_marginal_price_before_it(string kind)
    {
        var pool = Pool(kind);
        var (num0, den0) = pool.StartExact().Spot(true);
        var spot0 = (double)num0 / (double)den0;
        var checkedSales = 0;
        foreach (var moved in new[] { false, true })
            foreach (var zeroForOne in new[] { true, false })
            {
                var exact = pool.StartExact();
                var fast = pool.StartFast();
                if (moved)
                {
                    // A sale the other way first: the ceiling must hold at a moved price too.
                    var first = zeroForOne ? E(9) * 1_000 : E(15) * 5_000;
                    exact.Swap(first, !zeroForOne, true);
                    fast.Swap((double)first, !zeroForOne, true);
                }
                var (num, den) = exact.Spot(zeroForOne);
                var factor = exact.SpotCeilingFactor(zeroForOne);
                Assert.True(factor >= 1);
                var fastSpot = (zeroForOne ? spot0 : 1 / spot0) * fast.PriceMove(zeroForOne) * fast.SpotCeilingFactor(zeroForOne);
                for (var k = 0; k <= 27; k += 3)
                {
                    var amount = BigInteger.Pow(10, k);
                    var got = exact.Swap(amount, zeroForOne, false);
                    Assert.True((double)got * (double)den <= (double)amount * (double)num * factor * (1 + 1e-12),
                        $"{kind} {(zeroForOne ? "0→1" : "1→0")} {amount} (moved {moved}): {got} > amount × {num}/{den} × {factor}");
                    var fastGot = fast.Swap((double)amount, zeroForOne, false);
                    Assert.True(fastGot <= (double)amount * fastSpot * (1 + 1e-9), $"{kind} fast {(zeroForOne ? "0→1" : "1→0")} {amount}: {fastGot} > {(double)amount * fastSpot}");
                    if (got > 0) checkedSales++;
                }
            }
        Assert.True(checkedSales > 10, "the sales must pay something to test the ceiling");
    }
}
