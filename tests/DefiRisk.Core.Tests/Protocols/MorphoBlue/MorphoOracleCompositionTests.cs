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

    /// <summary>
    /// Two feeds on one side that follow two different assets (here BTC/USD following WBTC and a 0.998 feed following WETH):
    /// a step moving both by −20 % moves the market price by 0.8 · 0.8 = 0.64, beyond the largest ratio of two asset moves
    /// (1.25). The fast path's candidate bound and its per-round bound must take the composed move, or it skips positions
    /// with a snapshot health factor between 1.25 and 1.5625 that the exact path liquidates.
    /// </summary>
    [Fact]
    public void The_fast_path_bounds_a_composed_price_that_moves_more_than_any_two_assets_apart()
    {
        var s = SyntheticSnapshot.Generate(3000, 54, poolDepthUsdPerPosition: 20_000);
        var usd = s.Assets.ToDictionary(a => a.Address, a => a.PriceUsd);
        var state = s.Book<MorphoBlueBook>()!.Instances[0];
        var markets = state.Markets.Select(m =>
        {
            if (m.CollateralToken != SyntheticSnapshot.Wbtc || m.LoanToken != SyntheticSnapshot.Usdc) return m;
            var parts = new MorphoOracleParts(MorphoOracleKind.ChainlinkV2, BigInteger.Pow(10, 26), Address.Zero, 1, 1, Address.Zero, 1, 1,
                [new(Address.Parse("0x00000000000000000000000000000000000000f4"), usd[m.CollateralToken], m.CollateralToken),
                 new(Address.Parse("0x00000000000000000000000000000000000000f5"), 99_800_000, SyntheticSnapshot.Weth),
                 new(Address.Parse("0x00000000000000000000000000000000000000f1"), usd[m.LoanToken], m.LoanToken), null]);
            return m with { OracleParts = parts, OraclePrice = parts.SnapshotPrice!.Value };
        }).ToList();
        var composed = s.WithMorphoBlue([state with { Markets = markets }]);
        var snapshot = composed with { Books = [composed.Book<MorphoBlueBook>()!] };
        var both = new Scenario("WETH and WBTC −20 %", [new ShockStep([new AssetShock(SyntheticSnapshot.Weth, -0.2m), new AssetShock(SyntheticSnapshot.Wbtc, -0.2m)])]);

        var (exact, fast) = FastExactComparison.Run(snapshot, both);
        // Not vacuous: the exact path liquidates a position on that market whose snapshot health factor only a move beyond
        // 1.25 can bring below 1 (what the old bound missed).
        var wbtcMarket = markets.Single(m => m.CollateralToken == SyntheticSnapshot.Wbtc && m.LoanToken == SyntheticSnapshot.Usdc).Id;
        var model = FastModel.Compile(snapshot, null);
        var liquidated = exact.Rounds.SelectMany(r => r.Liquidations).Where(l => l.Market == wbtcMarket).Select(l => l.Account).ToHashSet();
        var beyondOldBound = Enumerable.Range(0, model.PositionCount).Count(k =>
            model.Hf0[k] > 1.26 && state.Positions[(int)(model.Source[k] & 0xffffffff)] is var p && p.MarketId == wbtcMarket && liquidated.Contains(p.Account));
        Assert.True(beyondOldBound > 0, "the exact path liquidates no position with a snapshot health factor above 1.26 on the composed market");
        // 2e-7: after the first round the oracles follow market prices, and the exact path floors both moving feeds' answers
        // (2e-8 on the price, as above); bad debt is what is left of a debt after all collateral is seized at that price, so
        // its relative error is the price's times collateral ÷ remainder (about 10 here). Same positions, rounds and calls.
        FastExactComparison.AssertSame(snapshot, exact, fast, tolerance: 2e-7);
    }
}
