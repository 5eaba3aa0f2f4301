using System.Diagnostics;
using System.Numerics;
using DefiRisk.Harness;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Harness.Venues.UniswapV3;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Replay;

/// <summary>
/// The strongest test (DESIGN "Fidelity is the product"): the analyser's cascade for a WETH shock on the demo fixture,
/// played for real on anvil. Round 0 applies the exogenous shock as the analyser defines it (the WETH/USDC pair re-priced
/// at constant k, oracles at the round's recorded prices); every round sets every Aave feed and Morpho oracle to the
/// prices the analyser recorded for it, liquidates through <c>Pool.liquidationCall</c> / <c>Morpho.liquidate</c> what the
/// analyser liquidates, in its order with its arguments, and sells the seized collateral through the real pairs along
/// the recorded route. Compared: every call's amounts, each round's pool reserves, the final pools and the bad debt.
/// Independently of the analyser's list, each round also asks the chain which positions are liquidatable at that
/// round's prices (<c>getUserAccountData</c> HF &lt; 1; Morpho's own "position is healthy" check) and requires exactly the
/// positions the analyser found liquidatable (liquidated, or left with a reason).
/// </summary>
[Trait("Category", "CascadeReplay")]
public sealed class CascadeReplayTests(ReplayChain chain, ITestOutputHelper output) : IClassFixture<ReplayChain>
{
    /// <summary>WETH −4 %: on the demo fixture the smallest round shock whose cascade runs to quiet with Aave and Morpho
    /// liquidations in the same round again and again (found with the analyser: −3.25 % stops after 4 rounds; −4 % runs
    /// 35 rounds, 499 liquidations, 27 rounds with both protocols).</summary>
    [Fact]
    public Task A_WETH_shock_replayed_through_the_real_contracts_matches_the_analyser_round_by_round() =>
        CascadeReplay.RunAndAssertAsync(chain, output, "WETH=-4%");

    /// <summary>A two-step shock path: the second exogenous move lands in round 1, on top of round 0's sales.</summary>
    [Fact]
    public Task A_two_step_WETH_shock_path_replays_with_the_second_move_in_round_one() =>
        CascadeReplay.RunAndAssertAsync(chain, output, "WETH=-3%,-1%");
}

/// <summary>The same replay on <c>fixtures/mainnet-like</c>: 3,000 borrowers, whales, e-mode loopers, deeper pools.</summary>
[Trait("Category", "CascadeReplay")]
public sealed class MainnetLikeCascadeReplayTests(MainnetLikeReplayChain chain, ITestOutputHelper output) : IClassFixture<MainnetLikeReplayChain>
{
    /// <summary>WETH −10 % on mainnet-like (Aave 3.6, v2 and v3 pools): 4 rounds, 426 liquidations, 3 rounds with both protocols
    /// (analyser; since the fixture has a WETH/USDC v3 pool beside the pair, −8 % has only 2 such rounds; blocks on this larger
    /// state take ~40 ms each). Sales with a v3 hop go through the real pools.</summary>
    [Fact]
    public Task A_WETH_shock_on_the_mainnet_like_fixture_replays_to_the_wei() =>
        CascadeReplay.RunAndAssertAsync(chain, output, "WETH=-10%");

    /// <summary>WETH −25 % (6 rounds, 1,320 liquidations, 5 rounds with both protocols; ~5 min): many accounts are called twice on
    /// one collateral in a round, so the aToken balance left after a call must follow 3.5+ TokenMath (burn and fee transfer ceil the
    /// scaled amount, the balance floors). With plain subtraction the second call on 0x6445…4c3 (all its WETH collateral left, against its 18-decimal debt) was
    /// 3,571 wei of debt off the chain.</summary>
    [Fact]
    public Task A_deep_WETH_shock_with_second_calls_on_one_collateral_replays_to_the_wei() =>
        CascadeReplay.RunAndAssertAsync(chain, output, "WETH=-25%");
}

/// <summary>
/// The replay itself: analyser first, then the chain, round by round, every comparison collected in a <see cref="Tally"/>.
/// Round r &lt; the scenario's step count applies that step's exogenous pool move (v2: the recorded reserves; v3: the
/// arbitrage swap to the recorded price, whose tick and liquidity must then equal the analyser's); later rounds must find
/// the pools where the chain's own sales put them, equal to the analyser's. A sale whose path has a v3 pool goes hop by
/// hop through the real pools (<see cref="FixtureUniswapV3Trader"/>).
/// </summary>
internal static class CascadeReplay
{
    /// <summary>What a replay did on Uniswap v3: sales with a v3 hop, those also with a v2 hop, v3 swaps, those crossing
    /// initialized ticks, the most ticks one swap crossed, and arbitrage swaps.</summary>
    internal sealed record V3Stats(int Sales, int MixedSales, int Swaps, int SwapsCrossingTicks, int MostTicksCrossed, int Arbitrages, int SplitSales = 0, int Legs = 0, int SizedCalls = 0);

    public static async Task RunAndAssertAsync(ReplayChain chain, ITestOutputHelper output, params string[] shocks) =>
        await RunAndAssertAsync(chain, output, 3, shocks);

    /// <param name="options">the analyser's options (default: the router liquidators and first-pool prices). With one market
    /// price (<see cref="MarketPriceModel.OnePrice"/>) every round starts with the arbitrage step: v2 pairs set to the
    /// analyser's reserves (its constant-k re-pricing, as for an exogenous step), v3 pools swapped to its price on chain.
    /// A sale split by best execution is sent leg by leg (<see cref="CascadeLiquidation.SaleLegs"/>), each leg's output
    /// compared. Flash-loan fees and gas are the liquidator's accounting, not on chain.</param>
    /// <param name="roundLimitAllowed">the analyser may stop at its round limit (a cascade still liquidating in pieces): the replay
    /// then checks every round up to the limit and the state there.</param>
    public static async Task<V3Stats> RunAndAssertAsync(ReplayChain chain, ITestOutputHelper output, int minBothProtocolRounds, string[] shocks, SimulationOptions? options = null,
        bool roundLimitAllowed = false)
    {
        await chain.ResetAsync();
        var clock = Stopwatch.StartNew();
        var facts = chain.Server.Facts;
        var liquidator = chain.Liquidator;
        // The external market is off in the replay: its curves are configuration, nothing on the chain can settle its fills,
        // so the analyser runs DEX-only here (the fixtures' manifests configure none; a snapshot that had one would drop it).
        var snapshot = chain.Snapshot.OnChainVenuesOnly();
        Assert.All(snapshot.Venues, v => Assert.True(v.OnChain, $"{v.Venue} cannot be replayed on the chain"));
        var scenario = ScenarioParser.Parse(shocks, snapshot);
        var result = CascadeSimulator.Simulate(snapshot, scenario, options);
        var arbitrageEveryRound = options?.MarketPrices.OnePrice == true;
        int splitSales = 0, legsSent = 0, sizedCalls = 0;
        var bothProtocolRounds = result.Rounds.Count(r => r.Liquidations.Any(l => l.Protocol == ProtocolNames.AaveV3) && r.Liquidations.Any(l => l.Protocol == ProtocolNames.MorphoBlue));
        output.WriteLine($"{scenario.Name}: analyser {result.Rounds.Count} rounds, {result.Totals.Liquidations} liquidations, {bothProtocolRounds} rounds with both protocols, hit limit {result.HitRoundLimit}");
        Assert.True(bothProtocolRounds >= minBothProtocolRounds, $"the analyser's cascade has only {bothProtocolRounds} rounds with liquidations in both protocols");
        if (!roundLimitAllowed) Assert.False(result.HitRoundLimit);

        // The population to watch, from the fixture and the chain (not from the analyser or the indexer).
        var borrowers = facts.AllBorrowers;
        var allMorpho = facts.MorphoMarkets.SelectMany(m => borrowers.Select(b => (Market: m, Account: b))).ToList();
        var start = await liquidator.MorphoPositionsAsync(allMorpho);
        var morphoWatch = allMorpho.Where((p, i) => !start[i].BorrowShares.IsZero).ToList();
        output.WriteLine($"watching {borrowers.Count} Aave accounts and {morphoWatch.Count} Morpho borrow positions");

        var tally = new Tally();
        var trader = new FixtureUniswapV3Trader(liquidator);
        if (facts.UniswapV3Pools is { Count: > 0 }) await trader.ApproveAsync();
        var v3Ticks = snapshot.UniswapV3Pools().ToDictionary(p => p.Address.Value, p => p.State.Ticks.Select(t => t.Index).ToArray(), StringComparer.OrdinalIgnoreCase);
        int v3Sales = 0, mixedSales = 0, v3Swaps = 0, crossing = 0, mostCrossed = 0, arbitrages = 0;
        TimeSpan checkTime = default, liquidateTime = default;
        var exchangeRateAsset = facts.Token(facts.ExchangeRateAggregator.Asset).Address;
        foreach (var round in result.Rounds)
        {
            // 1. Pools: a round with an exogenous step applies it (the recorded reserves); otherwise the chain's own sales
            //    must have put them where the analyser says.
            foreach (var p in round.PairReserves())
            {
                var onChain = await liquidator.GetReservesAsync(p.Pair.Value);
                if (round.Round < scenario.Steps.Count || arbitrageEveryRound)
                {
                    if (onChain.Reserve0 != p.Reserve0 || onChain.Reserve1 != p.Reserve1)
                        await liquidator.SetReservesAsync(p.Pair.Value, p.Reserve0, p.Reserve1);
                }
                else tally.Pool($"round {round.Round} start", p, onChain);
            }
            foreach (var p in round.V3PoolPrices())
            {
                if ((round.Round < scenario.Steps.Count || arbitrageEveryRound) && await trader.MoveToPriceAsync(p.Pool.Value, p.SqrtPriceX96) is not null) arbitrages++;
                tally.V3Pool($"round {round.Round} start", p, await trader.PriceAsync(p.Pool.Value));
            }

            // 2. Oracles at the round's recorded native prices. wstETH's feed is ratio × the WETH feed: it must follow by itself.
            foreach (var o in round.AaveOraclePrices().Where(o => !string.Equals(o.Asset.Value, exchangeRateAsset, StringComparison.OrdinalIgnoreCase)))
                await liquidator.SetAaveFeedAsync(o.Asset.Value, o.Price);
            foreach (var o in round.MorphoOraclePrices())
                await liquidator.SetMorphoOracleAsync(o.Oracle.Value, o.Price);
            foreach (var o in round.AaveOraclePrices())
            {
                var price = await liquidator.AaveOraclePriceAsync(o.Asset.Value);
                if (price != o.Price) tally.Fail($"round {round.Round}: AaveOracle.getAssetPrice({o.Asset}) = {price}, analyser recorded {o.Price}");
            }

            var phase = Stopwatch.StartNew();
            // 3. Independently: which positions does the chain consider liquidatable at these prices?
            var aaveData = await liquidator.AaveAccountDataAsync(borrowers);
            var chainAave = aaveData.Where(kv => !kv.Value.Debt.IsZero && kv.Value.HealthFactor < BigInteger.Pow(10, 18)).Select(kv => kv.Key.ToLowerInvariant()).ToHashSet();
            var positions = await liquidator.MorphoPositionsAsync(morphoWatch);
            var borrowing = morphoWatch.Where((p, i) => !positions[i].BorrowShares.IsZero).ToList();
            var unhealthy = await liquidator.MorphoAreLiquidatableAsync(borrowing);
            var chainMorpho = borrowing.Where((p, i) => unhealthy[i]).Select(p => $"{p.Market.Id.ToLowerInvariant()}/{p.Account.ToLowerInvariant()}").ToHashSet();
            var analyserAave = round.Liquidations.Where(l => l.Protocol == ProtocolNames.AaveV3).Select(l => l.Account.Value)
                .Concat(round.Unliquidated.Where(u => u.Protocol == ProtocolNames.AaveV3).Select(u => u.Account.Value)).ToHashSet();
            var analyserMorpho = round.Liquidations.Where(l => l.Protocol == ProtocolNames.MorphoBlue).Select(l => $"{l.Market.ToLowerInvariant()}/{l.Account.Value}")
                .Concat(round.Unliquidated.Where(u => u.Protocol == ProtocolNames.MorphoBlue).Select(u => $"{u.Market.ToLowerInvariant()}/{u.Account.Value}")).ToHashSet();
            tally.Sets($"round {round.Round} Aave liquidatable", chainAave, analyserAave);
            tally.Sets($"round {round.Round} Morpho liquidatable", chainMorpho, analyserMorpho);

            checkTime += phase.Elapsed;
            phase.Restart();
            // 4. The analyser's liquidations, in its order, with its arguments; each sale right after its liquidation.
            var liquidatedOnChain = new HashSet<string>();
            foreach (var l in round.Liquidations)
            {
                BigInteger seized;
                if (l.Protocol == ProtocolNames.AaveV3)
                {
                    // debtToCover as the analyser passed it: type(uint256).max, or a call sized for profit (or by a breaker).
                    var o = await liquidator.AaveLiquidateAsync(l.CollateralAsset.Value, l.DebtAsset.Value, l.Account.Value,
                        debtToCover: l.RepayArgument.IsZero ? null : l.RepayArgument);
                    if (!l.RepayArgument.IsZero) sizedCalls++;
                    tally.Amount("debt repaid", l.DebtAsset, o.DebtRepaid, l.DebtRepaid);
                    if (o.DebtRepaid != l.DebtRepaid)
                        output.WriteLine($"round {round.Round} {l.Account} {l.CollateralAsset}/{l.DebtAsset}: repaid chain {o.DebtRepaid} analyser {l.DebtRepaid}");
                    tally.Amount("collateral seized", l.CollateralAsset, o.CollateralToLiquidator, l.CollateralSeized);
                    tally.Amount("protocol fee", l.CollateralAsset, o.ProtocolFee, l.ProtocolFee);
                    seized = o.CollateralToLiquidator;
                }
                else
                {
                    var market = facts.MorphoMarkets.Single(m => string.Equals(m.Id, l.Market, StringComparison.OrdinalIgnoreCase));
                    var o = await liquidator.MorphoLiquidateAsync(market, l.Account.Value, l.SeizeArgument, l.RepayArgument);
                    tally.Amount("debt repaid", l.DebtAsset, o.RepaidAssets, l.DebtRepaid);
                    tally.Amount("collateral seized", l.CollateralAsset, o.SeizedAssets, l.CollateralSeized);
                    tally.Amount("Morpho bad debt", l.DebtAsset, o.BadDebtAssets, l.BadDebt);
                    seized = o.SeizedAssets;
                }
                liquidatedOnChain.Add(l.Protocol + "/" + l.Account.Value);
                if (l.SaleLegs is { Count: > 0 } saleLegs)
                {
                    // Best execution: every leg on chain, in the analyser's order, one swap per pool.
                    Assert.Equal(seized, saleLegs.Aggregate(BigInteger.Zero, (sum, leg) => sum + leg.AmountIn));
                    if (saleLegs.Count > 1) splitSales++;
                    var proceeds = BigInteger.Zero;
                    foreach (var leg in saleLegs)
                    {
                        var path = leg.Pools.Select(p => p.Value).ToList();
                        BigInteger received;
                        if (path.Any(trader.IsV3Pool))
                        {
                            received = (await trader.SellAsync(path, l.CollateralAsset.Value, leg.AmountIn)).Proceeds;
                            v3Sales++;
                        }
                        else received = await liquidator.SwapAsync(path, l.CollateralAsset.Value, leg.AmountIn);
                        legsSent++;
                        tally.Amount("sale leg proceeds", l.SaleRoute == "pools+oracle" ? (snapshot.FindAsset("USDC")?.Address ?? l.DebtAsset) : l.DebtAsset, received, leg.AmountOut);
                        proceeds += received;
                    }
                    if (l.SaleRoute is "pools" or "split") tally.Amount("sale proceeds", l.DebtAsset, proceeds, l.SaleProceeds);
                }
                else if (l.SalePools.Count > 0)
                {
                    var path = l.SalePools.Select(p => p.Value).ToList();
                    BigInteger proceeds;
                    if (path.Any(trader.IsV3Pool))
                    {
                        var (received, swaps) = await trader.SellAsync(path, l.CollateralAsset.Value, seized);
                        proceeds = received;
                        v3Sales++;
                        if (path.Any(p => !trader.IsV3Pool(p))) mixedSales++;
                        foreach (var (before, swap) in swaps)
                        {
                            v3Swaps++;
                            var (low, high) = (Math.Min(before.Tick, swap.Tick), Math.Max(before.Tick, swap.Tick));
                            var crossed = v3Ticks[before.Pool].Count(t => t > low && t <= high);
                            if (crossed > 0) crossing++;
                            mostCrossed = Math.Max(mostCrossed, crossed);
                        }
                    }
                    else proceeds = await liquidator.SwapAsync(path, l.CollateralAsset.Value, seized);
                    // "pools+oracle" converts the numeraire to the debt asset at oracle prices off-chain: only the pool leg is on chain.
                    if (l.SaleRoute == "pools") tally.Amount("sale proceeds", l.DebtAsset, proceeds, l.SaleProceeds);
                }
            }
            liquidateTime += phase.Elapsed;
            var analyserLiquidated = round.Liquidations.Select(l => l.Protocol + "/" + l.Account.Value).ToHashSet();
            tally.Sets($"round {round.Round} liquidated accounts", liquidatedOnChain, analyserLiquidated);
        }

        // 5. End state: pools, and bad debt (Morpho written off per market; Aave ≤ 3.2: debt left on accounts with no collateral).
        foreach (var p in result.FinalPairReserves())
            tally.Pool("final", p, await liquidator.GetReservesAsync(p.Pair.Value));
        foreach (var p in result.FinalV3PoolPrices())
            tally.V3Pool("final", p, await trader.PriceAsync(p.Pool.Value));
        var finalData = await liquidator.AaveAccountDataAsync(borrowers);
        var unbacked = new Dictionary<Address, BigInteger>();
        foreach (var (account, data) in finalData.Where(kv => !kv.Value.Debt.IsZero))
        {
            var collateral = await liquidator.AaveAccountCollateralBaseAsync(account);
            if (!collateral.IsZero) continue;
            foreach (var token in facts.Tokens.Values)
            {
                var debt = await liquidator.BalanceOfAsync(token.VariableDebtToken, account) + await liquidator.BalanceOfAsync(token.StableDebtToken, account);
                if (!debt.IsZero) unbacked[Address.Parse(token.Address)] = unbacked.GetValueOrDefault(Address.Parse(token.Address)) + debt;
            }
        }
        var analyserUnbacked = result.Totals.BadDebt.Where(b => b.Kind == "unbacked").GroupBy(b => b.Asset).ToDictionary(g => g.Key, g => g.Aggregate(BigInteger.Zero, (s, b) => s + b.Amount));
        foreach (var asset in unbacked.Keys.Union(analyserUnbacked.Keys))
            tally.Amount("Aave unbacked debt (end)", asset, unbacked.GetValueOrDefault(asset), analyserUnbacked.GetValueOrDefault(asset));

        output.WriteLine($"replayed in {clock.Elapsed.TotalSeconds:F1} s (liquidatable-set checks {checkTime.TotalSeconds:F1} s, liquidations and sales {liquidateTime.TotalSeconds:F1} s)");
        foreach (var line in tally.Report()) output.WriteLine(line);
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures.Take(20)));
        // Agreement within 0.01 % on every per-asset total, and in fact to the wei on every single call and pool.
        Assert.All(tally.Totals, t => Assert.True(t.RelativeDifference <= 1e-4, $"{t.Name} {t.Asset}: chain {t.Chain}, analyser {t.Analyser}"));
        Assert.True(tally.AllExact, "some amounts or reserves differ from the analyser by a few base units (see the output)");
        var stats = new V3Stats(v3Sales, mixedSales, v3Swaps, crossing, mostCrossed, arbitrages, splitSales, legsSent, sizedCalls);
        if (v3Swaps + arbitrages > 0) output.WriteLine($"Uniswap v3: {stats}");
        if (legsSent > 0) output.WriteLine($"best execution: {splitSales} split sales, {legsSent} legs sent; {sizedCalls} Aave calls with the analyser's debtToCover");
        return stats;
    }

    /// <summary>Comparisons collected over the replay: exact matches, differences, per-asset totals.</summary>
    internal sealed class Tally
    {
        public List<string> Failures { get; } = [];
        private readonly Dictionary<(string Name, Address Asset), (BigInteger Chain, BigInteger Analyser, int Calls, int Exact)> _sums = [];
        private int _pools, _poolsExact;
        private BigInteger _maxPoolDiff;

        public void Fail(string line) => Failures.Add(line);

        public bool AllExact => _poolsExact == _pools && _sums.Values.All(s => s.Exact == s.Calls);

        public void Amount(string name, Address asset, BigInteger chain, BigInteger analyser)
        {
            var s = _sums.GetValueOrDefault((name, asset));
            _sums[(name, asset)] = (s.Chain + chain, s.Analyser + analyser, s.Calls + 1, s.Exact + (chain == analyser ? 1 : 0));
        }

        public void Pool(string when, PoolReserves expected, PairReserves chain)
        {
            _pools++;
            var diff = BigInteger.Max(BigInteger.Abs(chain.Reserve0 - expected.Reserve0), BigInteger.Abs(chain.Reserve1 - expected.Reserve1));
            _maxPoolDiff = BigInteger.Max(_maxPoolDiff, diff);
            if (diff.IsZero) _poolsExact++;
            else if (RelativeDifference(chain.Reserve0, expected.Reserve0) > 1e-4 || RelativeDifference(chain.Reserve1, expected.Reserve1) > 1e-4)
                Fail($"{when}: pair {expected.Pair} reserves {chain.Reserve0}/{chain.Reserve1}, analyser {expected.Reserve0}/{expected.Reserve1}");
        }

        /// <summary>A v3 pool: sqrtPriceX96, tick and in-range liquidity must all equal the analyser's.</summary>
        public void V3Pool(string when, UniswapV3PoolPrice expected, UniswapV3ChainPrice chain)
        {
            _pools++;
            if (chain.SqrtPriceX96 == expected.SqrtPriceX96 && chain.Tick == expected.Tick && chain.Liquidity == expected.Liquidity) _poolsExact++;
            else Fail($"{when}: v3 pool {expected.Pool} sqrtPriceX96/tick/liquidity {chain.SqrtPriceX96}/{chain.Tick}/{chain.Liquidity}, analyser {expected.SqrtPriceX96}/{expected.Tick}/{expected.Liquidity}");
        }

        public void Sets(string what, HashSet<string> chain, HashSet<string> analyser)
        {
            var onlyChain = chain.Except(analyser).ToList();
            var onlyAnalyser = analyser.Except(chain).ToList();
            if (onlyChain.Count + onlyAnalyser.Count > 0)
                Fail($"{what}: only on chain [{string.Join(", ", onlyChain.Take(5))}], only in the analyser [{string.Join(", ", onlyAnalyser.Take(5))}]");
        }

        public IEnumerable<(string Name, Address Asset, BigInteger Chain, BigInteger Analyser, double RelativeDifference)> Totals =>
            _sums.Select(kv => (kv.Key.Name, kv.Key.Asset, kv.Value.Chain, kv.Value.Analyser, RelativeDifference(kv.Value.Chain, kv.Value.Analyser)));

        public IEnumerable<string> Report()
        {
            foreach (var ((name, asset), s) in _sums.OrderBy(kv => kv.Key.Name).ThenBy(kv => kv.Key.Asset))
                yield return $"{name} {asset}: {s.Exact}/{s.Calls} exact; total chain {s.Chain} vs analyser {s.Analyser} (diff {s.Chain - s.Analyser}, rel {RelativeDifference(s.Chain, s.Analyser):E2})";
            yield return $"pool reserves: {_poolsExact}/{_pools} exact at round starts and the end, largest difference {_maxPoolDiff} base units";
            yield return $"{Failures.Count} failures";
        }

        private static double RelativeDifference(BigInteger a, BigInteger b) =>
            a == b ? 0 : (double)BigInteger.Abs(a - b) / (double)BigInteger.Max(BigInteger.Abs(b), BigInteger.One);
    }
}
