using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

public sealed class CascadeSimulatorTests
{
    // 10 WETH vs 15,000 USDC: HF 1.1 at $2000, 0.88 at $1600 (LOCAL-CHAIN.md §2 position).
    private static AaveV3Account AaveBorrower => Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)));

    // 10 WETH vs 13,550 USDC at LLTV 0.86: healthy at $1600 (13,760 ≥ 13,550), unhealthy below $1575.58 — which the
    // Aave liquidator's sale of ~9.84 WETH into the re-priced pool (≈ $1572 after) crosses.
    private static Snapshot CrossProtocol() => MiniMarket.Build([AaveBorrower],
        [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("13550", 6), MiniMarket.WethUsdcPrice)],
        [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("13550", 6))]);

    [Fact]
    public void No_shock_means_one_quiet_round_and_unchanged_prices()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, 0m));
        Assert.Single(r.Rounds);
        Assert.Equal(0, r.Totals.Liquidations);
        Assert.Equal(Usd("2000"), r.Rounds[0].Prices.Single(p => p.Asset == Weth).MarketPriceUsd);
        Assert.Equal(Usd("2360"), r.Rounds[0].Prices.Single(p => p.Asset == WstEth).OraclePriceUsd);
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void A_weth_shock_reprices_its_pool_at_constant_k_and_liquidates_in_round_0()
    {
        // −20 %: WETH/USDC re-priced to x' = ⌊√(x²·1e9/0.8e9)⌋, y' = ⌊√(y²·0.8e9/1e9)⌋ (DexGraph), then the liquidator
        // sells the seized WETH with getAmountOut. Aave-only so the final pool is exactly that one swap.
        var snapshot = MiniMarket.Build([AaveBorrower]);
        var r = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.20m));
        var x = FixedPoint.Sqrt(Units("1000", 18) * Units("1000", 18) * 1_000_000_000 / 800_000_000);
        var y = FixedPoint.Sqrt(Units("2000000", 6) * Units("2000000", 6) * 800_000_000 / 1_000_000_000);
        var oracle = y * Units("1000", 18) / x * Usd("2000") / Units("2000000", 6); // snapshot price × route ratio change
        Assert.Equal(oracle, r.Rounds[0].Prices.Single(p => p.Asset == Weth).OraclePriceUsd);

        var liq = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal(Units("15000", 6), liq.DebtRepaid);                     // HF 0.88 ≤ 0.95 → 100 %
        var seized = FixedPoint.PercentMul(Usd("1") * Units("15000", 6) * E(18) / (oracle * E(6)), 10500);
        Assert.Equal(seized, liq.CollateralSeized);
        var usdcOut = UniswapV2Math.GetAmountOut(seized, x, y);
        Assert.Equal(usdcOut, liq.SaleProceeds);
        var pool = r.FinalPairReserves().Single(p => p.Pair == MiniMarket.WethUsdcPool.Pair);
        Assert.Equal((y - usdcOut, x + seized), (pool.Reserve0, pool.Reserve1)); // token0 = USDC (lower address)
        Assert.Equal(0, liq.CauseCount);                                        // exogenous: round 0 has no causes
    }

    [Fact]
    public void Sales_cascade_across_protocols_with_causal_links_and_amplification()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, -0.20m));
        var aave = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal(ProtocolNames.AaveV3, aave.Protocol);
        var morpho = Assert.Single(r.Rounds[1].Liquidations);
        Assert.Equal(ProtocolNames.MorphoBlue, morpho.Protocol);
        Assert.Equal([aave.Id], morpho.Causes);                 // its oracle fell because of the Aave sale into WETH/USDC
        Assert.Equal(2, morpho.ChainDepth);
        Assert.Equal([aave.Id, morpho.Id], r.LongestChain!.LiquidationIds);
        Assert.True(r.LongestChain.CrossesProtocols);
        Assert.Contains(r.Chains, c => c.CrossesProtocols);
        var amp = r.Amplification.Single(a => a.Asset == Weth);
        Assert.True(amp.Factor > 1, $"amplification {amp.Factor}");
        Assert.Equal(amp.FinalChange / -0.20, amp.Factor!.Value, 12);
        Assert.Equal(1, r.Totals.EndogenousRoundsWithLiquidations);
        Assert.Equal(2, r.Totals.AccountsAffected);
        // Morpho repays all 13,550 USDC (collateral suffices): no bad debt; the final Morpho oracle follows WETH exactly:
        // P·cNow·lSnap / (cSnap·lNow) with USDC unchanged = 2e27 × WETH now / $2000.
        Assert.Equal(Units("13550", 6), morpho.DebtRepaid);
        Assert.Equal((BigInteger.Zero, Units("13550", 12)), (morpho.SeizeArgument, morpho.RepayArgument)); // repay all shares
        Assert.Equal([MiniMarket.WethUsdcPool.Pair], morpho.SalePools);
        Assert.Equal("pools", morpho.SaleRoute);
        var wethNow = r.PricePath.Single(p => p.Asset == Weth).OraclePriceUsd[^1];
        Assert.Equal(MiniMarket.WethUsdcPrice * wethNow / Usd("2000"), r.FinalMorphoOraclePrices().Single().Price);
        Assert.Equal(wethNow, r.FinalAaveOraclePrices().Single(p => p.Asset == Weth).Price);
        // Per round, what a replay sets before sending that round's calls: the Morpho trigger price is the round's oracle.
        Assert.Equal(morpho.TriggerOraclePrice, r.Rounds[1].MorphoOraclePrices().Single().Price);
        Assert.Equal(r.Rounds[1].Prices.Single(p => p.Asset == Weth).OraclePriceUsd, r.Rounds[1].AaveOraclePrices().Single(p => p.Asset == Weth).Price);
        Assert.NotEqual(r.Rounds[0].PairReserves().Single(p => p.Pair == MiniMarket.WethUsdcPool.Pair), r.Rounds[1].PairReserves().Single(p => p.Pair == MiniMarket.WethUsdcPool.Pair));
    }

    [Fact]
    public void A_lagged_oracle_delays_the_first_liquidation_by_its_lag()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, -0.20m), new SimulationOptions { OracleModel = new LaggedOracle(1) });
        Assert.Empty(r.Rounds[0].Liquidations);
        Assert.Equal(Usd("2000"), r.Rounds[0].Prices.Single(p => p.Asset == Weth).OraclePriceUsd);
        Assert.True(r.Rounds[0].Prices.Single(p => p.Asset == Weth).MarketPriceUsd < Usd("1601"));
        Assert.Equal(ProtocolNames.AaveV3, Assert.Single(r.Rounds[1].Liquidations).Protocol);
        // The Morpho liquidation follows two rounds later: the Aave sale (round 1) reaches its oracle in round 3.
        var morpho = r.Rounds.SelectMany(x => x.Liquidations).Single(l => l.Protocol == ProtocolNames.MorphoBlue);
        Assert.Equal(3, morpho.Round);
        Assert.Equal(1, morpho.CauseCount);
    }

    [Fact]
    public void A_weth_shock_moves_the_wsteth_exchange_rate_oracle_but_a_wsteth_depeg_does_not()
    {
        var snapshot = MiniMarket.Build([]);
        var weth = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m)).Rounds[0].Prices;
        var wethOracle = weth.Single(p => p.Asset == Weth).OraclePriceUsd;
        Assert.Equal(Usd("2360") * wethOracle / Usd("2000"), weth.Single(p => p.Asset == WstEth).OraclePriceUsd);
        Assert.True(weth.Single(p => p.Asset == WstEth).MarketPriceUsd < Usd("2125")); // routed via WETH: market falls too

        var depeg = CascadeSimulator.Simulate(snapshot, Scenario.Single(WstEth, -0.10m)).Rounds[0].Prices;
        Assert.Equal(Usd("2360"), depeg.Single(p => p.Asset == WstEth).OraclePriceUsd);       // 2024-08-05: oracle holds
        Assert.InRange(depeg.Single(p => p.Asset == WstEth).MarketPriceUsd, Usd("2123.99"), Usd("2124.01")); // market −10 %
        Assert.Equal(Usd("2000"), depeg.Single(p => p.Asset == Weth).MarketPriceUsd);
        Assert.Equal(Usd("1"), depeg.Single(p => p.Asset == Dai).MarketPriceUsd);              // stablecoins hold
    }

    [Fact]
    public void Unprofitable_liquidations_stay_and_are_reported_with_the_reason()
    {
        // Gas of $1,000 eats the ~$560 the Aave liquidation would make after slippage.
        var r = CascadeSimulator.Simulate(MiniMarket.Build([AaveBorrower]), Scenario.Single(Weth, -0.20m), new SimulationOptions { GasCostUsd = Usd("1000") });
        Assert.Equal(0, r.Totals.Liquidations);
        var left = Assert.Single(r.Rounds[0].Unliquidated);
        Assert.Equal(AaveBorrower.Account, left.Account);
        Assert.Equal("unprofitable after slippage and gas", left.Reason);
        Assert.True(left.HealthFactor < FixedPoint.Wad);
    }

    [Fact]
    public void The_capital_cap_limits_what_liquidators_repay_per_round()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, -0.25m), new SimulationOptions { LiquidatorCapitalPerRoundUsd = Usd("14000") });
        Assert.All(r.Rounds, round => Assert.True(round.Liquidations.Sum(l => l.DebtRepaidUsd) <= 14_000));
        Assert.Contains(r.Rounds.SelectMany(x => x.Unliquidated), u => u.Reason == "liquidator capital cap reached");
    }

    [Fact]
    public void A_debt_asset_without_a_pool_is_bought_with_the_numeraire_at_oracle_prices()
    {
        // DAI debt: seized WETH is sold for USDC, which buys DAI 1:1 in USD at the oracle prices ($1 each):
        // proceeds (18 decimals) = USDC out (6 decimals) × 1e12.
        var account = Account(2, Coll(Weth, Units("10", 18)), Debt(Dai, Units("15000", 18)));
        var r = CascadeSimulator.Simulate(MiniMarket.Build([account]), Scenario.Single(Weth, -0.20m));
        var liq = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal(Dai, liq.DebtAsset);
        Assert.Equal("pools+oracle", liq.SaleRoute);
        Assert.Equal(BigInteger.Zero, liq.SaleProceeds % E(12));
        Assert.True(liq.SaleProceeds > liq.DebtRepaid);
    }

    [Fact]
    public void A_circuit_breaker_that_permits_nothing_blocks_every_liquidation()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, -0.20m),
            new SimulationOptions { CircuitBreaker = new CompositeCircuitBreaker([NoCircuitBreaker.Instance, new BlockAll()]) });
        Assert.Equal(0, r.Totals.Liquidations);
        Assert.Equal("blocked by circuit breaker none+block-all", Assert.Single(r.Rounds[0].Unliquidated).Reason);
    }

    private sealed class BlockAll : ICircuitBreaker
    {
        public string Name => "block-all";
        public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed) => [];
    }

    [Fact]
    public void Morpho_bad_debt_is_written_off_and_totalled_per_market()
    {
        // 10 WETH vs 16,000 USDC; at −40 % ($1200) all debt would need 13.9 WETH > 10: seize all, the rest is bad debt.
        var snapshot = MiniMarket.Build([],
            [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("16000", 6), MiniMarket.WethUsdcPrice)],
            [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("16000", 6))]);
        var r = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.40m));
        var liq = Assert.Single(r.Rounds.SelectMany(x => x.Liquidations));
        Assert.Equal(Units("10", 18), liq.CollateralSeized);
        Assert.Equal((Units("10", 18), BigInteger.Zero), (liq.SeizeArgument, liq.RepayArgument)); // seize all
        Assert.Equal(Units("16000", 6), liq.DebtRepaid + liq.BadDebt);
        var entry = Assert.Single(r.Totals.BadDebt);
        Assert.Equal(("written-off", liq.BadDebt, MiniMarket.MorphoWethUsdc), (entry.Kind, entry.Amount, entry.Market));
    }

    [Fact]
    public void A_position_is_liquidated_again_within_the_round_while_still_below_one()
    {
        // 10 WETH @ $2000 (LT 8250: $16,500) vs 9,000 USDC + 8,300 DAI: HF 0.9538 (> 0.95 → 50 % close factor, v3.0).
        // Call 1: the largest debt, USDC: 4,500 repaid, 2.3625 WETH seized → HF 12,601.875 / 12,800 = 0.9845, still < 1.
        // Call 2: the largest debt is now DAI (8,300 > 4,500): 4,150 DAI, 2.17875 WETH → HF 1.041: done, same round.
        var account = Account(3, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("9000", 6)), Debt(Dai, Units("8300", 18)));
        var r = CascadeSimulator.Simulate(MiniMarket.Build([account]), Scenario.Single(Weth, 0m));
        var calls = r.Rounds[0].Liquidations;
        Assert.Equal(2, calls.Count);
        Assert.Equal((Usdc, Units("4500", 6), Units("2.3625", 18)), (calls[0].DebtAsset, calls[0].DebtRepaid, calls[0].CollateralSeized));
        Assert.Equal((Dai, Units("4150", 18), Units("2.17875", 18)), (calls[1].DebtAsset, calls[1].DebtRepaid, calls[1].CollateralSeized));
        Assert.Empty(r.Rounds[0].Unliquidated);
    }

    [Theory]
    [InlineData(1, "unbacked")]
    [InlineData(7, "deficit")]
    public void Aave_bad_debt_is_a_deficit_from_v33_and_lingering_unbacked_debt_before(int revision, string kind)
    {
        // 1 WETH vs 1,900 USDC at −50 % ($1000): seize all 1 WETH for ⌊(1e13·… )⌋ ≈ 952.38 USDC; the rest is bad debt —
        // v3.3+ books it as the USDC reserve's deficit in the call, v3.0 leaves it on the account (counted at the end).
        var account = Account(4, Coll(Weth, Units("1", 18)), Debt(Usdc, Units("1900", 6)));
        var r = CascadeSimulator.Simulate(MiniMarket.Build([account], revision: revision), Scenario.Single(Weth, -0.50m));
        var liq = Assert.Single(r.Rounds.SelectMany(x => x.Liquidations));
        Assert.Equal(Units("1", 18), liq.CollateralSeized);
        var entry = Assert.Single(r.Totals.BadDebt);
        Assert.Equal((kind, Usdc, Units("1900", 6) - liq.DebtRepaid), (entry.Kind, entry.Asset, entry.Amount));
        Assert.Equal(revision >= 7 ? entry.Amount : BigInteger.Zero, liq.BadDebt);
    }

    [Fact]
    public void Results_serialise_to_json_with_integers_as_decimal_strings()
    {
        var r = CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, -0.20m));
        var options = new JsonSerializerOptions { Converters = { new BigIntegerDecimalStringConverter() } };
        var json = JsonSerializer.Serialize(r, options);
        Assert.Contains("\"DebtRepaid\":\"15000000000\"", json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("Totals").GetProperty("Liquidations").GetInt32());
        // A zero shock has no amplification factor (null, not NaN, which JSON cannot carry).
        Assert.Contains("\"Factor\":null", JsonSerializer.Serialize(CascadeSimulator.Simulate(CrossProtocol(), Scenario.Single(Weth, 0m)), options));
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"),
            JsonSerializer.Deserialize<BigInteger>("\"123456789012345678901234567890\"", options));
    }

    [Fact]
    public void Sweep_reports_every_level_and_the_self_sustaining_threshold()
    {
        var snapshot = SyntheticSnapshot.Generate(3000, 3, poolDepthUsdPerPosition: 20_000);
        var fast = CascadeSimulator.Sweep(snapshot, SyntheticSnapshot.Weth, -0.05m, -0.40m, -0.05m);
        var exact = CascadeSimulator.Sweep(snapshot, SyntheticSnapshot.Weth, -0.05m, -0.40m, -0.05m, new SimulationOptions { ExactSweep = true });
        Assert.Equal(("fast", "exact"), (fast.Path, exact.Path));
        Assert.Equal([-0.05m, -0.10m, -0.15m, -0.20m, -0.25m, -0.30m, -0.35m, -0.40m], fast.Levels.Select(l => l.Shock));
        for (var i = 0; i < fast.Levels.Count; i++)
        {
            Assert.Equal(exact.Levels[i].Liquidations, fast.Levels[i].Liquidations);
            Assert.Equal(exact.Levels[i].EndogenousRoundsWithLiquidations, fast.Levels[i].EndogenousRoundsWithLiquidations);
            Assert.Equal(exact.Levels[i].LiquidatedValueUsd, fast.Levels[i].LiquidatedValueUsd, 1e-9 * Math.Max(1, exact.Levels[i].LiquidatedValueUsd));
        }
        Assert.True(fast.Levels[^1].LiquidatedValueUsd > fast.Levels[0].LiquidatedValueUsd);
        var expected = fast.Levels.Where(l => l.EndogenousRoundsWithLiquidations >= 2).Select(l => (decimal?)l.Shock).FirstOrDefault();
        Assert.Equal(expected, fast.SelfSustainingThreshold);
    }

    [Fact]
    public void Inconsistent_snapshots_are_user_errors()
    {
        var orphan = MiniMarket.Build([], [], [MiniMarket.Borrower("0xnone", 1, 1, 1)]);
        Assert.Throws<DefiRiskException>(() => CascadeSimulator.Simulate(orphan, Scenario.Single(Weth, -0.1m)));
        Assert.Throws<DefiRiskException>(() => CascadeSimulator.Sweep(orphan, Weth, -0.1m, -0.2m, -0.1m));
        Assert.Throws<DefiRiskException>(() => CascadeSimulator.Simulate(MiniMarket.Build([]), Scenario.Single(A(0x99), -0.1m)));
    }

    [Theory]
    [InlineData(-0.1, -0.3, 0.1)]
    [InlineData(0, -0.1, 0)]
    [InlineData(-0.5, -1.5, -0.5)]
    public void Bad_sweep_ranges_are_user_errors(double from, double to, double step) =>
        Assert.Throws<DefiRiskException>(() => CascadeSimulator.Levels((decimal)from, (decimal)to, (decimal)step));
}
