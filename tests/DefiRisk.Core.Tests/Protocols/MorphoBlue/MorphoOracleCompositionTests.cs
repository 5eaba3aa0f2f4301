using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Core.Tests.Analysis;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// Composed Morpho oracles in the model: price() recomputed through the feeds that follow an asset (others hold), exactly
/// as the oracle's integer formula; the fast path beside it liquidates the same positions with totals within 2e-8 relative.
/// </summary>
public sealed class MorphoOracleCompositionTests
{
    private static readonly Address Held = Address.Parse("0x00000000000000000000000000000000000000b1");

    /// <summary>
    /// The synthetic book with WETH/USDC on a MorphoChainlinkOracleV2 (WETH/USD over USDC/USD feeds, scale 1e24) and WBTC/USDC
    /// on one with a held WBTC/BTC feed (0.998) times a BTC/USD feed following WBTC (scale 1e26); wstETH markets stay unknown.
    /// </summary>
    private static Snapshot Composed(int seed)
    {
        var s = SyntheticSnapshot.Generate(3000, seed, poolDepthUsdPerPosition: 20_000);
        var usd = s.Assets.ToDictionary(a => a.Address, a => a.PriceUsd);
        var book = s.Book<MorphoBlueBook>()!;
        var state = book.Instances[0];
        var markets = state.Markets.Select(m =>
        {
            MorphoOracleParts? parts = (m.CollateralToken, m.LoanToken) switch
            {
                var (c, l) when c == SyntheticSnapshot.Weth && l == SyntheticSnapshot.Usdc => V2(BigInteger.Pow(10, 24),
                    new(Address.Parse("0x00000000000000000000000000000000000000f2"), usd[c], c), null, new(Address.Parse("0x00000000000000000000000000000000000000f1"), usd[l], l)),
                var (c, l) when c == SyntheticSnapshot.Wbtc && l == SyntheticSnapshot.Usdc => V2(BigInteger.Pow(10, 26),
                    new(Held, 99_800_000, null), new(Address.Parse("0x00000000000000000000000000000000000000f4"), usd[c], c), new(Address.Parse("0x00000000000000000000000000000000000000f1"), usd[l], l)),
                _ => null,
            };
            return parts is null ? m : m with { OracleParts = parts, OraclePrice = parts.SnapshotPrice!.Value };
        }).ToList();
        return s.WithMorphoBlue([state with { Markets = markets }]);

        static MorphoOracleParts V2(BigInteger scale, MorphoOracleFeed b1, MorphoOracleFeed? b2, MorphoOracleFeed q1) =>
            new(MorphoOracleKind.ChainlinkV2, scale, Address.Zero, 1, 1, Address.Zero, 1, 1, [b1, b2, q1, null]);
    }

    [Fact]
    public void A_shock_moves_a_composed_price_through_the_feeds_it_uses_and_a_held_feed_holds()
    {
        var s = Composed(51);
        var assets = new AssetIndex(s);
        var markets = s.MorphoBlue()[0].Markets;
        var wethUsdc = markets.Single(m => m.CollateralToken == SyntheticSnapshot.Weth && m.LoanToken == SyntheticSnapshot.Usdc);
        var wbtcUsdc = markets.Single(m => m.CollateralToken == SyntheticSnapshot.Wbtc);
        Assert.Equal(BigInteger.Parse("3000000000000000000000000000"), wethUsdc.OraclePrice);            // 1e24 · 3000e8 / 1e8
        Assert.Equal(BigInteger.Parse("598800000000000000000000000000000000000"), wbtcUsdc.OraclePrice); // 1e26 · 0.998e8 · 60000e8 / 1e8

        var usd = assets.SnapshotUsd.ToArray();
        usd[assets[SyntheticSnapshot.Weth]] = usd[assets[SyntheticSnapshot.Weth]] * 7 / 10 + 3;
        usd[assets[SyntheticSnapshot.Wbtc]] = usd[assets[SyntheticSnapshot.Wbtc]] / 2 + 1;
        // WETH/USD answers ⌊3000e8 · now / snapshot⌋ = now; price = 1e24 · now / 1e8, floor.
        Assert.Equal(BigInteger.Pow(10, 24) * usd[assets[SyntheticSnapshot.Weth]] / 100_000_000, MorphoBlueOracle.Price(wethUsdc, assets, usd));
        // WBTC/BTC holds at 0.998; BTC/USD follows WBTC.
        Assert.Equal(BigInteger.Pow(10, 26) * 99_800_000 * usd[assets[SyntheticSnapshot.Wbtc]] / 100_000_000, MorphoBlueOracle.Price(wbtcUsdc, assets, usd));
        Assert.Equal([Held], wbtcUsdc.OracleParts!.HeldFeeds.Select(f => f.Feed));
        // Parts that do not reproduce the snapshot price are not trusted: the market keeps its snapshot ratio.
        var stale = wethUsdc with { OraclePrice = wethUsdc.OraclePrice + 1 };
        Assert.Null(MorphoBlueOracle.Composed(stale));
    }

    public static TheoryData<int, decimal> Shocks => new() { { 52, -0.25m }, { 53, -0.45m } };

    [Theory]
    [MemberData(nameof(Shocks))]
    public void The_fast_path_liquidates_the_same_positions_as_the_exact_path_on_composed_oracles(int seed, decimal shock)
    {
        var s = Composed(seed);
        var snapshot = s with { Books = [s.Book<MorphoBlueBook>()!] };
        foreach (var asset in new[] { SyntheticSnapshot.Weth, SyntheticSnapshot.Wbtc })
        {
            var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(asset, shock));
            Assert.NotEmpty(exact.Rounds.SelectMany(r => r.Liquidations));
            // 2e-8: the exact path floors each moved feed answer (⌊answer·now/snapshot⌋), up to 1/answer relative — 1e-8 for a
            // USD feed at 1.00000000 — and a price uses two feeds; the fast path multiplies unrounded ratios.
            FastExactComparison.AssertSame(snapshot, exact, fast, tolerance: 2e-8);
        }
    }
}
