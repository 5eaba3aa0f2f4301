using System.Numerics;
using DefiRisk.Harness;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Replay;

/// <summary>
/// The Core liquidation rules against the real contracts, one call at a time, to the wei: lower the WETH oracle on the
/// demo fixture, index that block, ask <see cref="AaveV3LiquidationRule"/> / <see cref="MorphoBlueLiquidationRule"/>
/// what a liquidation of a position will do, send it through <c>Pool.liquidationCall</c> / <c>Morpho.liquidate</c>
/// and compare what moved; then sell the collateral into the real pair and compare with <c>UniswapV2Math</c>.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class SingleLiquidationParityTests(ReplayChain chain, ITestOutputHelper output) : IClassFixture<ReplayChain>
{
    private FixtureFacts Facts => chain.Server.Facts;
    private FixtureLiquidator Liquidator => chain.Liquidator;

    private sealed record AaveCase(string Kind, AaveV3Account Account, Address Collateral, Address Debt, AaveV3LiquidationDecision Decision);

    [Fact]
    public async Task Aave_liquidations_repay_seize_and_pay_the_fee_the_rule_predicts_to_the_wei()
    {
        var kinds = new HashSet<string>();
        var checkedCount = 0;
        foreach (var drop in Scenarios)
        {
            await chain.ResetAsync();
            var snapshot = await ShockAsync(drop);
            var state = Assert.Single(snapshot.AaveV3Markets());
            var market = state.Market;
            var prices = market.Reserves.ToDictionary(r => r.Asset, r => r.OraclePrice);
            var cases = new List<AaveCase>();
            foreach (var account in state.Accounts)
            {
                var data = AaveV3AccountMath.Calculate(market, account, a => prices[a]);
                if (!data.HasDebt || !data.IsLiquidatable) continue;
                foreach (var (coll, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, account, a => prices[a]))
                {
                    var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, a => prices[a]));
                    if (!d.Executed) continue;
                    var balance = account.Reserves.Single(r => r.Asset == coll).Collateral;
                    var kind = (d.HealthFactor > AaveV3LiquidationRule.CloseFactorHfThreshold ? "close factor 50 % (0.95 < HF < 1)" : "close factor 100 % (HF <= 0.95)")
                        + (account.EModeCategory != 0 ? " + e-mode" : "")
                        + (d.CollateralFromBorrower == balance ? " + collateral binds" : "");
                    cases.Add(new(kind, account, coll, debt, d));
                    break;
                }
            }
            // Up to two per kind and price level keeps the test short; every kind found is exercised.
            foreach (var c in cases.GroupBy(c => c.Kind).SelectMany(g => g.Take(2)))
            {
                var debtToken = c.Debt.Value;
                var collToken = c.Collateral.Value;
                var debtBefore = await Liquidator.BalanceOfAsync(debtToken, Liquidator.Liquidator);
                var collBefore = await Liquidator.BalanceOfAsync(collToken, Liquidator.Liquidator);
                var outcome = await Liquidator.AaveLiquidateAsync(collToken, debtToken, c.Account.Account.Value);
                var paid = debtBefore - await Liquidator.BalanceOfAsync(debtToken, Liquidator.Liquidator);
                var received = await Liquidator.BalanceOfAsync(collToken, Liquidator.Liquidator) - collBefore;
                output.WriteLine($"{drop}: {c.Kind} {c.Account.Account} HF {FixedPoint.FormatFixed(c.Decision.HealthFactor, 18)}: " +
                    $"repaid {paid} (predicted {c.Decision.DebtRepaid}), seized {received} ({c.Decision.CollateralToLiquidator}), fee {outcome.ProtocolFee} ({c.Decision.ProtocolFee})");
                Assert.Equal(c.Decision.DebtRepaid, paid);
                Assert.Equal(c.Decision.DebtRepaid, outcome.DebtRepaid);
                Assert.Equal(c.Decision.CollateralToLiquidator, received);
                Assert.Equal(c.Decision.CollateralToLiquidator, outcome.CollateralToLiquidator);
                Assert.Equal(c.Decision.ProtocolFee, outcome.ProtocolFee);
                foreach (var k in c.Kind.Split(" + ")) kinds.Add(k);
                checkedCount++;

                // Sell the seized collateral into its USDC (or WETH) pair, exactly as UniswapV2Math quotes it.
                await SellAndCheckAsync(collToken, received);
            }
        }
        output.WriteLine($"{checkedCount} Aave liquidations checked; kinds: {string.Join(", ", kinds.Order())}");
        Assert.Contains("close factor 50 % (0.95 < HF < 1)", kinds);
        Assert.Contains("close factor 100 % (HF <= 0.95)", kinds);
        Assert.Contains("e-mode", kinds);
        Assert.Contains("collateral binds", kinds);
    }

    [Fact]
    public async Task Morpho_liquidations_repay_and_seize_what_the_rule_predicts_including_bad_debt()
    {
        var kinds = new HashSet<string>();
        foreach (var drop in Scenarios)
        {
            await chain.ResetAsync();
            var snapshot = await ShockAsync(drop);
            var morpho = Assert.Single(snapshot.MorphoBlue());
            var markets = morpho.Markets.ToDictionary(m => m.Id);
            foreach (var p in morpho.Positions.Where(p => !p.BorrowShares.IsZero))
            {
                var m = markets[p.MarketId];
                if (MorphoBlueMath.IsHealthy(m, p, m.OraclePrice)) continue;
                var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(m, p, m.OraclePrice);
                var d = MorphoBlueLiquidationRule.Instance.Decide(new(m, p, seize, shares, m.OraclePrice));
                Assert.True(d.Executed, d.Reason);
                // Each liquidation moves the market's share price (rounding up); the next one in that market sees it.
                markets[m.Id] = d.MarketAfter;
                var kind = shares.IsZero ? "seize all collateral" : "repay all shares";
                var fm = Facts.MorphoMarkets.Single(x => string.Equals(x.Id, m.Id, StringComparison.OrdinalIgnoreCase));
                var loanBefore = await Liquidator.BalanceOfAsync(fm.LoanToken, Liquidator.Liquidator);
                var collBefore = await Liquidator.BalanceOfAsync(fm.CollateralToken, Liquidator.Liquidator);
                var outcome = await Liquidator.MorphoLiquidateAsync(fm, p.Account.Value, seize, shares);
                var paid = loanBefore - await Liquidator.BalanceOfAsync(fm.LoanToken, Liquidator.Liquidator);
                var received = await Liquidator.BalanceOfAsync(fm.CollateralToken, Liquidator.Liquidator) - collBefore;
                output.WriteLine($"{drop}: {fm.Name} {kind} {p.Account}: repaid {paid} ({d.RepaidAssets}), shares {outcome.RepaidShares} ({d.RepaidShares}), " +
                    $"seized {received} ({d.SeizedAssets}), bad debt {outcome.BadDebtAssets} ({d.BadDebtAssets})");
                Assert.Equal(d.RepaidAssets, paid);
                Assert.Equal(d.RepaidAssets, outcome.RepaidAssets);
                Assert.Equal(d.RepaidShares, outcome.RepaidShares);
                Assert.Equal(d.SeizedAssets, received);
                Assert.Equal(d.SeizedAssets, outcome.SeizedAssets);
                Assert.Equal(d.BadDebtAssets, outcome.BadDebtAssets);
                Assert.Equal(d.BadDebtShares, outcome.BadDebtShares);
                kinds.Add(d.BadDebtAssets.IsZero ? kind : kind + " with bad debt");
                await SellAndCheckAsync(fm.CollateralToken, received);
            }
        }
        output.WriteLine($"Morpho kinds: {string.Join(", ", kinds.Order())}");
        Assert.Contains("repay all shares", kinds);
        Assert.Contains("seize all collateral with bad debt", kinds);
    }

    /// <summary>WETH −10 % and −20 % (wstETH follows through its exchange-rate oracle), and a wstETH exchange-rate drop
    /// of 7 % (what reaches the e-mode loopers, whose wstETH collateral otherwise moves with their WETH debt).</summary>
    private static readonly string[] Scenarios = ["WETH x0.90", "WETH x0.80", "wstETH ratio x0.93"];

    /// <summary>Moves the oracle (Morpho OracleMocks follow) as <paramref name="scenario"/> says and indexes the head block.</summary>
    private async Task<Snapshot> ShockAsync(string scenario)
    {
        var prices = new FixturePrices(chain.Server.Node, Facts);
        var factor = decimal.Parse(scenario[(scenario.LastIndexOf('x') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (scenario.StartsWith("WETH", StringComparison.Ordinal)) await prices.ScaleUsdPriceAsync("WETH", factor);
        else await prices.SetExchangeRatioAsync(new BigInteger(decimal.Parse(Facts.ExchangeRateAggregator.Ratio, System.Globalization.CultureInfo.InvariantCulture) * factor));
        return await chain.IndexAsync(new IndexCommand.BlockChoice(null, true));
    }

    private async Task SellAndCheckAsync(string token, BigInteger amount)
    {
        if (amount.IsZero) return;
        var symbol = Facts.Tokens.Single(t => string.Equals(t.Value.Address, token, StringComparison.OrdinalIgnoreCase)).Key;
        var pair = Facts.UniswapPairs.FirstOrDefault(p => p.Key.StartsWith(symbol + "/", StringComparison.Ordinal)).Value;
        if (pair is null) return; // USDC, DAI: nothing to sell into
        var (quoted, oneMoreReverts, got) = await Liquidator.SwapExactlyAsync(pair, token, amount);
        Assert.True(oneMoreReverts, $"asking GetAmountOut + 1 from {pair} did not revert with UniswapV2: K");
        Assert.Equal(quoted, got);
    }
}
