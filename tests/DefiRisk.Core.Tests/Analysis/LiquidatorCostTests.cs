using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Core.Tests.Venues.UniswapV3;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// What a call costs a liquidator as mainnet has them (issue 12 item 4, after <see cref="MarketLiquidatorTests"/>): Aave's
/// flash-loan premium as read at the block (and its rounding by release), flash-loan balances that the cascade's own
/// liquidations move (funded by the next lender, by several nested, or not at all), and gas per extra leg of a split
/// sale. Every expected amount is worked by hand in the comments.
/// </summary>
public sealed class LiquidatorCostTests(ITestOutputHelper output)
{
    private static int IndexOf(Snapshot s, Address a) => s.Assets.ToList().FindIndex(x => x.Address == a);

    private static Snapshot WithAave(Snapshot s, Func<AaveV3Market, AaveV3Market> change)
    {
        var st = s.AaveV3Markets()[0];
        return s.WithAaveV3Markets([st with { Market = change(st.Market) }]);
    }

    private static AaveV3Market Cash(AaveV3Market m, Address asset, BigInteger cash) =>
        m with { Reserves = m.Reserves.Select(r => r.Asset == asset ? r with { VirtualUnderlyingBalance = cash } : r).ToList() };

    // ------------------------------------------------------------------ (a) the premium read at the block

    /// <summary>
    /// 5 WETH against 9,000.000001 USDC (HF = 10,000 · 0.825 / 9,000.000001 = 0.9167 &lt; 0.95: full close), no Morpho
    /// lender: Aave funds the 9,000,000,001 base units. At the premium read, 9 bps: 9,000,000,001 · 9 = 81,000,000,009,
    /// / 10,000 = 8,100,000.0009 → 8,100,000 half up (3.4, percentMul) and 8,100,001 up (3.6, percentMulCeil). Not read
    /// (an older snapshot): the assumed 5 bps, 45,000,000,005 / 10,000 = 4,500,000.0005 → 4,500,001 up (3.6).
    /// </summary>
    [Theory]
    [InlineData(AaveV3Revision.V3_4, 9, "8100000")]
    [InlineData(AaveV3Revision.V3_6, 9, "8100001")]
    [InlineData(AaveV3Revision.V3_6, null, "4500001")]
    public void Aave_flash_loans_charge_the_premium_read_at_the_block_rounded_as_the_release_rounds_it(int revision, int? premium, string expectedFee)
    {
        var snapshot = WithAave(MiniMarket.Build([Account(1, Coll(Weth, Units("5", 18)), Debt(Usdc, BigInteger.Parse("9000000001")))], revision: revision),
            m => m with { FlashLoanPremiumTotal = premium });
        var l = Assert.Single(CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), SimulationOptions.Default.WithMarketLiquidators()).Rounds[0].Liquidations);
        Assert.Equal(BigInteger.Parse("9000000001"), l.DebtRepaid);
        Assert.Equal(BigInteger.Parse(expectedFee), l.FlashLoanFee);
        // The profit pays it: (proceeds − repaid − fee) at $1 − $15 gas (one route, one leg).
        Assert.Equal((double)(l.SaleProceeds - l.DebtRepaid - l.FlashLoanFee!.Value) / 1e6 - 15, l.ProfitUsd, 6);
    }

    // ------------------------------------------------------------------ (b) balances the cascade moves

    /// <summary>
    /// Morpho lends USDC up to 1,000 idle + 600 held as collateral = 1,600; Aave (3.6, 9 bps, up) up to its USDC cash of
    /// 5,000. In USDC base units (10^6):
    /// <list type="bullet">
    /// <item>1,600 → Morpho covers it: fee 0, one lender. 1,601 → Morpho cannot: Aave, ⌈1,601·10^6·9/10^4⌉ = 1,440,900.</item>
    /// <item>A Morpho liquidation seizes the 600 USDC collateral: Morpho holds 1,000. 1,600 → Aave, ⌈1,440,000⌉ = 1,440,000.</item>
    /// <item>5,500 → no lender alone: Morpho's 1,000 free + Aave's 4,500 at ⌈4,500·10^6·9/10^4⌉ = 4,050,000; two lenders.</item>
    /// <item>6,001 → 1,000 + 5,000 fall 1 short: not funded. An Aave liquidation repays 2,000 USDC into Aave (cash 7,000):
    /// Aave alone covers 6,001 at ⌈6,001·900⌉ = 5,400,900; 7,500 = 1,000 + 6,500 at ⌈6,500·900⌉ = 5,850,000; 8,001 is 1 short.</item>
    /// </list>
    /// The fast twin quotes the same, to the base unit.
    /// </summary>
    [Fact]
    public void Flash_loan_balances_move_with_the_cascades_liquidations_and_a_repayment_is_funded_by_the_next_lender_then_by_several()
    {
        var morphoUsdcCollateral = new MorphoBlueMarket("0x03", Weth, Usdc, A(0xe0), A(0xee), Units("0.86", 18), Units("10", 18), Units("10", 18) * 1_000_000,
            Units("1", 18), Units("1", 18) * 1_000_000, 1, 0, E(12) / 2000);
        var snapshot = WithAave(MiniMarket.Build([],
                [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("1000", 6), MiniMarket.WethUsdcPrice), morphoUsdcCollateral],
                [MiniMarket.Borrower("0x03", 1, Units("600", 6), Units("0.2", 18))], revision: AaveV3Revision.V3_6),
            m => Cash(m, Usdc, Units("5000", 6)) with { FlashLoanPremiumTotal = 9 });
        int usdc = IndexOf(snapshot, Usdc), weth = IndexOf(snapshot, Weth);
        int aave = snapshot.Books.ToList().FindIndex(b => b is AaveV3Book), morpho = snapshot.Books.ToList().FindIndex(b => b is MorphoBlueBook);
        var exact = new FlashLenders(snapshot).Start();
        var fast = new FlashLenders(snapshot).StartFast();

        void Expect(string usdcAmount, bool funded, string fee, int lenders)
        {
            var amount = Units(usdcAmount, 6);
            var q = exact.Quote(usdc, amount);
            Assert.Equal((funded, BigInteger.Parse(fee), lenders), (q.Funded, q.Fee, q.Lenders));
            var f = fast.Quote(usdc, (double)amount);
            Assert.Equal((funded, (double)BigInteger.Parse(fee), lenders), (f.Funded, f.Fee, f.Lenders));
        }

        Expect("1600", true, "0", 1);
        Expect("1601", true, "1440900", 1);
        exact.Liquidated(morpho, 0, weth, Units("0.2", 18), usdc, Units("600", 6));
        fast.Liquidated(morpho, 0, weth, (double)Units("0.2", 18), usdc, (double)Units("600", 6));
        Expect("1000", true, "0", 1);
        Expect("1600", true, "1440000", 1);
        Expect("5500", true, "4050000", 2);
        Expect("6001", false, "0", 2);
        exact.Liquidated(aave, 0, usdc, Units("2000", 6), weth, Units("1", 18));
        fast.Liquidated(aave, 0, usdc, (double)Units("2000", 6), weth, (double)Units("1", 18));
        Expect("6001", true, "5400900", 1);
        Expect("7500", true, "5850000", 2);
        Expect("8001", false, "0", 2);
    }

    /// <summary>
    /// Nested flash loans pay their gas: on Aave 3.6, 10 WETH against 17,000 USDC (HF = 20,000 · 0.825 / 17,000 = 0.9706, both
    /// legs ≥ $2,000: half the debt) repays 8,500 USDC for 8,500 / 2,000 · 1.05 = 4.4625 WETH. Morpho lends 1,000 idle USDC
    /// free, Aave's cash is 8,000: neither alone, so Morpho's 1,000 then Aave's 7,500 at ⌈7,500 · 10^6 · 9 / 10^4⌉ = 6,750,000.
    /// The call's profit is the sale (v2 <c>getAmountOut</c> into 1,000 WETH / 2,000,000 USDC) − repaid − fee − $15 − $3 for
    /// the second loan. The fast path liquidates the same.
    /// </summary>
    [Fact]
    public void A_repayment_funded_by_two_nested_flash_loans_pays_the_second_loans_gas()
    {
        var snapshot = WithAave(MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("17000", 6)))],
                [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("1000", 6), MiniMarket.WethUsdcPrice)], [], revision: AaveV3Revision.V3_6),
            m => Cash(m, Usdc, Units("8000", 6)) with { FlashLoanPremiumTotal = 9 });
        var options = SimulationOptions.Default.WithMarketLiquidators();
        var l = Assert.Single(CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), options).Rounds[0].Liquidations);
        Assert.Equal(Units("8500", 6), l.DebtRepaid);
        Assert.Equal(Units("4.4625", 18), l.CollateralSeized);
        Assert.Equal(new BigInteger(6_750_000), l.FlashLoanFee);
        Assert.Equal(UniswapV2Math.GetAmountOut(Units("4.4625", 18), Units("1000", 18), Units("2000000", 6)), l.SaleProceeds);
        Assert.Equal((double)(l.SaleProceeds - l.DebtRepaid - l.FlashLoanFee!.Value) / 1e6 - 15 - 3, l.ProfitUsd, 6);
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Dai, 0m), options);
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    /// <summary>
    /// Aave 3.6, WETH cash 10.5 and no other WETH lender. Account 1 (10 WETH against 20,000 USDC, HF = 20,000 · 0.825 /
    /// 20,000 = 0.825) is liquidated first: the full close would seize 20,000 / 2,000 · 1.05 = 10.5 WETH, more than it has,
    /// so all 10 WETH leave the pool's cash (10.5 → 0.5). Account 2 (10,500 USDC against 5 WETH, HF = 10,500 · 0.8 / 10,000
    /// = 0.84) then needs a 5-WETH flash loan: the snapshot's 10.5 would have covered it, the 0.5 left does not, so it is
    /// not made. With the lender's cash at the snapshot (as the model had it before) it would be made.
    /// </summary>
    [Fact]
    public void A_seizure_that_drains_the_lenders_cash_leaves_a_later_repayment_in_that_asset_unfunded()
    {
        var snapshot = WithAave(MiniMarket.Build([
                Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("20000", 6))),
                Account(2, Coll(Usdc, Units("10500", 6)), Debt(Weth, Units("5", 18)))], revision: AaveV3Revision.V3_6),
            m => Cash(Cash(m, Weth, Units("10.5", 18)), Usdc, Units("1000000", 6)));
        var options = SimulationOptions.Default.WithMarketLiquidators();
        var r = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), options);
        var first = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal(A(0xb001), first.Account);
        Assert.Equal(Units("10", 18), first.CollateralSeized);
        var refused = Assert.Single(r.Rounds[0].Unliquidated, u => u.Account == A(0xb002));
        Assert.Equal(ExactCascade.NoFlashLiquidity, refused.Reason);

        // Account 2 alone (account 1 not there to drain the cash): the 10.5 WETH cover its 5 — funded by Aave, liquidated.
        var alone = WithAave(MiniMarket.Build([Account(2, Coll(Usdc, Units("10500", 6)), Debt(Weth, Units("5", 18)))], revision: AaveV3Revision.V3_6),
            m => Cash(Cash(m, Weth, Units("10.5", 18)), Usdc, Units("1000000", 6)));
        var l = Assert.Single(CascadeSimulator.Simulate(alone, Scenario.Single(Dai, 0m), options).Rounds[0].Liquidations);
        Assert.Equal(Units("5", 18), l.DebtRepaid);
        Assert.Equal((Units("5", 18) * 5 + 9_999) / 10_000, l.FlashLoanFee); // 5 bps assumed (not read), rounded up on 3.6
    }

    // ------------------------------------------------------------------ (c) gas per extra leg

    // The hand-worked venues of MarketLiquidatorTests: a thin v2 pair (100 WETH / 200,000 USDC) and a 15× deeper v3 pool, both at $2,000.
    private static readonly UniswapV2Pool ThinPair = new(A(0xd0), Usdc, Weth, Units("200000", 6), Units("100", 18));

    private static Snapshot ThinPairAndV3(IReadOnlyList<AaveV3Account> accounts)
    {
        var s = MiniMarket.Build(accounts, pools: [ThinPair, MiniMarket.WstethWethPool]);
        return new Snapshot(s.Chain, s.Assets, s.Books, [.. s.Venues, new UniswapV3Book([UniswapV3VenueTests.WethUsdc()])]);
    }

    /// <summary>
    /// Selling 5 WETH for USDC over the thin pair and the v3 pool. Free legs (<see cref="BestExecution"/>): 0.3125 WETH to
    /// the pair, 4.6875 to v3, 9,940.427704 USDC; v3 alone pays 9,938.548239. The pair's leg adds 1.879465 USDC, less than
    /// one leg's gas ($3 at $1/USDC = 3,000,000 base units), so it is not sent: one swap into v3. At 10 WETH the split pays
    /// 19,821.688553 against v3's 19,814.191952: the leg adds 7.496601 &gt; 3 and stays.
    /// </summary>
    [Fact]
    public void A_split_leg_is_sent_only_if_its_extra_proceeds_beat_its_gas()
    {
        var snapshot = ThinPairAndV3([]);
        var graph = new VenueGraph(snapshot, null);
        var routes = graph.Routes(IndexOf(snapshot, Weth), IndexOf(snapshot, Usdc));
        var v3Route = Array.FindIndex(routes, r => graph.Pools[r[0].Pool].Id == UniswapV3VenueTests.PoolAddress);
        var legCost = Units("3", 6);
        BigInteger Sell(string weth, BigInteger cost, List<SplitLeg> legs) =>
            LegGasExecution.Sell(graph.Pools.Select(p => p.StartExact()).ToArray(), routes, Units(weth, 18), BestExecution.DefaultChunks, cost, false, legs);

        var free = new List<SplitLeg>();
        Assert.Equal(BigInteger.Parse("9940427704"), Sell("5", 0, free));
        Assert.Equal(2, free.Count);
        var v3Alone = UniswapV3VenueTests.WethUsdc().StartExact().Swap(Units("5", 18), false, false);
        Assert.Equal(BigInteger.Parse("9938548239"), v3Alone);
        Assert.True(BigInteger.Parse("9940427704") - v3Alone < legCost);
        var paid = new List<SplitLeg>();
        Assert.Equal(v3Alone, Sell("5", legCost, paid));
        Assert.Equal(v3Route, Assert.Single(paid).Route);

        Assert.Equal(BigInteger.Parse("19821688553"), Sell("10", legCost, paid));
        Assert.Equal(2, paid.Count);
        // The fast twin makes the same choices.
        var fastPools = graph.Pools.Select(p => p.StartFast()).ToArray();
        Assert.Equal(9938548239.0, LegGasExecution.Sell(fastPools, routes, (double)Units("5", 18), BestExecution.DefaultChunks, 3e6, false, out var fastLegs), 0);
        Assert.Equal(1, fastLegs);
        Assert.InRange(LegGasExecution.Sell(fastPools, routes, (double)Units("10", 18), BestExecution.DefaultChunks, 3e6, false, out fastLegs), 19821688553.0 - 2, 19821688553.0 + 2);
        Assert.Equal(2, fastLegs);
    }

    /// <summary>
    /// 5 WETH against 9,000 USDC (HF 0.917, full close): 9,000 / 2,000 · 1.05 = 4.725 WETH seized. With free legs the sale
    /// splits (the pair's leg adds ≈ $1.7); with the $3 default it goes to v3 alone, and the call's profit is the proceeds
    /// less repaid, fee and $15 gas — no leg gas, since one leg was sent. With legs free, the split's profit carries no
    /// leg gas either: each model's profit is what its own sale pays.
    /// </summary>
    [Fact]
    public void The_liquidator_leaves_out_a_leg_that_does_not_pay_its_gas_and_counts_the_gas_of_the_legs_it_sends()
    {
        var snapshot = ThinPairAndV3([Account(1, Coll(Weth, Units("5", 18)), Debt(Usdc, Units("9000", 6)))]);
        var market = SimulationOptions.Default.WithMarketLiquidators();
        var paid = Assert.Single(CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), market).Rounds[0].Liquidations);
        var free = Assert.Single(CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m),
            market with { Liquidators = market.Liquidators with { LegGasCostUsd = 0 } }).Rounds[0].Liquidations);
        Assert.Equal(Units("4.725", 18), paid.CollateralSeized);
        Assert.Equal("split", free.SaleRoute);
        Assert.Equal(2, free.SaleLegs!.Count);
        Assert.Equal([UniswapV3VenueTests.PoolAddress], Assert.Single(paid.SaleLegs!).Pools);
        Assert.Equal(UniswapV3VenueTests.WethUsdc().StartExact().Swap(Units("4.725", 18), false, false), paid.SaleProceeds);
        Assert.True(free.SaleProceeds - paid.SaleProceeds < Units("3", 6), "the leg left out adds less than its gas");
        Assert.Equal((double)(paid.SaleProceeds - paid.DebtRepaid - paid.FlashLoanFee!.Value) / 1e6 - 15, paid.ProfitUsd, 6);
        output.WriteLine($"free legs: {free.SaleProceeds} in 2 legs; $3 a leg: {paid.SaleProceeds} in one");

        // A 10-WETH sale keeps its second leg and pays its gas: profit = proceeds − repaid − fee − $15 − $3.
        var big = ThinPairAndV3([Account(1, Coll(Weth, Units("20", 18)), Debt(Usdc, Units("35000", 6)))]);
        var l = Assert.Single(CascadeSimulator.Simulate(big, Scenario.Single(Dai, 0m), market).Rounds[0].Liquidations);
        Assert.Equal(2, l.SaleLegs!.Count);
        Assert.Equal((double)(l.SaleProceeds - l.DebtRepaid - l.FlashLoanFee!.Value) / 1e6 - 15 - 3, l.ProfitUsd, 6);
    }

    /// <summary>
    /// The fast path beside the exact path with flash-loan balances that bind: the synthetic book's Aave 3.5 market alone
    /// (no Morpho lender), every reserve's cash its supplied collateral plus a fraction of its borrows, two venues per pair (split sales, leg gas), $15 gas. Some calls are
    /// refused for want of flash-loan liquidity on both paths alike; liquidated sets and counts equal, totals within 1e-9.
    /// </summary>
    [Theory]
    [InlineData(5, -0.35, "0.002")]
    [InlineData(3, -0.30, "0.001")]
    public void Fast_path_matches_the_exact_path_when_flash_loan_liquidity_runs_short(int seed, double shock, string cashShare)
    {
        var synthetic = Core.Protocols.SyntheticSnapshot.Generate(1500, seed, AaveV3Revision.V3_5, poolDepthUsdPerPosition: 10_000);
        var pairs = synthetic.UniswapV2Pools();
        var twins = pairs.Select((p, i) => p with { Pair = A(0xe000 + i), Reserve0 = p.Reserve0 * 2 / 5, Reserve1 = p.Reserve1 * 2 / 5 });
        var share = decimal.Parse(cashShare, System.Globalization.CultureInfo.InvariantCulture);
        var markets = synthetic.AaveV3Markets().Select(st =>
        {
            BigInteger Sum(Address asset, Func<AaveV3AccountReserve, BigInteger> of) =>
                st.Accounts.SelectMany(a => a.Reserves).Where(x => x.Asset == asset).Aggregate(BigInteger.Zero, (sum, x) => sum + of(x));
            // Cash = the collateral supplied (every seizure can be withdrawn) + a share of the borrows (what flash loans of a debt asset draw on).
            return st with { Market = st.Market with { FlashLoanPremiumTotal = 9, Reserves = st.Market.Reserves.Select(r => r with
            {
                VirtualUnderlyingBalance = Sum(r.Asset, x => x.Collateral) + Sum(r.Asset, x => x.TotalDebt) * (int)(share * 10_000) / 10_000,
            }).ToList() } };
        }).ToList();
        // Aave the only flash lender (the book's Morpho markets would lend the stablecoins): its cash binds.
        var snapshot = (synthetic with { Books = synthetic.Books.Where(b => b is not MorphoBlueBook).ToList(), Venues = [new UniswapV2Book([.. pairs, .. twins])] })
            .WithAaveV3Markets(markets);
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Core.Protocols.SyntheticSnapshot.Weth, (decimal)shock), SimulationOptions.Default.WithMarketLiquidators());
        var unfunded = exact.Rounds.SelectMany(r => r.Unliquidated).Count(u => u.Reason == ExactCascade.NoFlashLiquidity);
        var split = exact.Rounds.SelectMany(r => r.Liquidations).Count(l => l.SaleRoute == "split");
        output.WriteLine($"exact: {exact.Totals.Liquidations} liq ({split} split, {unfunded} refused for flash liquidity), ${exact.Totals.LiquidatedValueUsd:N2}, bad ${exact.Totals.BadDebtUsd:N2}; fast {fast.Liquidations}, ${fast.LiquidatedValueUsd:N2}, bad ${fast.BadDebtUsd:N2}");
        Assert.True(unfunded > 0, "the case must run short of flash-loan liquidity");
        Assert.True(split > 0, "the case must split sales");
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    // ------------------------------------------------------------------ (d) why calls are not chunked within a round

    /// <summary>
    /// Why the model does not cut a call into several within a round: pools are arbitraged at the start of a round, not
    /// between calls, so the pieces sell one after another into the same pools. Into a v2 pair (X = 100 WETH, Y = 200,000
    /// USDC, γ = 0.997) 5 WETH pay Y·5γ/(X + 5γ) = 997,000 / 104.985 = 9,496.594751 USDC; 2.5 + 2.5 WETH pay
    /// 200,000·2.4925 / 102.4925 = 4,863.770519, then out of the reserves the first left (102.5, 195,136.229481: the fee
    /// stays in the pair and the second piece sees it) 4,632.493292 — 9,496.263811 in total, 0.33 less than the one sale.
    /// Into the v3 pool (fees kept apart from the liquidity) the pieces pay 9,938.548238 against 9,938.548239: the same
    /// but for the second swap's rounding. Each extra call also pays its own $15 of gas. So
    /// within a round a call of the right size is never beaten by several; sizing a call below the protocol's maximum
    /// (the rest left for the next round, after the arbitrage) is what is not built.
    /// </summary>
    [Fact]
    public void Cutting_a_sale_into_several_calls_within_one_round_never_pays_more_than_one_call()
    {
        var snapshot = ThinPairAndV3([]);
        var graph = new VenueGraph(snapshot, null);
        var routes = graph.Routes(IndexOf(snapshot, Weth), IndexOf(snapshot, Usdc));
        foreach (var route in routes)
        {
            var pools = graph.Pools.Select(p => p.StartExact()).ToArray();
            var whole = route.Aggregate(Units("5", 18), (x, h) => pools[h.Pool].Swap(x, h.ZeroForOne, false));
            var first = route.Aggregate(Units("2.5", 18), (x, h) => pools[h.Pool].Swap(x, h.ZeroForOne, true));
            var second = route.Aggregate(Units("2.5", 18), (x, h) => pools[h.Pool].Swap(x, h.ZeroForOne, true));
            output.WriteLine($"{graph.Pools[route[0].Pool].Id}: one call {whole}, two calls {first} + {second} = {first + second}");
            Assert.True(first + second <= whole, "two pieces in one round pay no more than the whole");
        }
        // The v2 pair by hand: 5 WETH in one sale.
        Assert.Equal(BigInteger.Parse("9496594751"), UniswapV2Math.GetAmountOut(Units("5", 18), ThinPair.Reserve1, ThinPair.Reserve0));
    }
}
