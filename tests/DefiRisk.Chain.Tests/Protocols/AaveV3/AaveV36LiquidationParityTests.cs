using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// <see cref="AaveV3LiquidationRule"/> at revision 10 against <c>Pool.liquidationCall</c> of the real 3.6 bytecode, one call at a
/// time, to the wei: debt repaid, collateral to the liquidator, protocol fee, the reserve deficit booked when collateral runs
/// out, and the dust rule's revert.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class AaveV36LiquidationParityTests(AaveV36ReplayChain chain, ITestOutputHelper output) : IClassFixture<AaveV36ReplayChain>
{
    private FixtureFacts Facts => chain.Server.Facts;
    private FixtureLiquidator Liquidator => chain.Liquidator;

    /// <summary>WETH down 15, 30 and 50 % (wstETH follows through its exchange-rate oracle; at −50 % collateral runs out), the
    /// wstETH ratio down 7 % and weETH down 12 % (what reaches the e-mode loopers).</summary>
    private static readonly (string Symbol, decimal Factor)[] Scenarios =
        [("WETH", 0.85m), ("WETH", 0.70m), ("WETH", 0.50m), ("wstETH", 0.93m), ("weETH", 0.88m)];

    private static readonly string DustSelector = Abi.Selector("MustNotLeaveDust()");

    [Fact]
    public async Task Liquidations_on_3_6_repay_seize_pay_the_fee_and_book_the_deficit_the_rule_predicts_to_the_wei()
    {
        var kinds = new Dictionary<string, int>();
        int executed = 0, dustReverts = 0;
        foreach (var (symbol, factor) in Scenarios)
        {
            await chain.ResetAsync();
            var prices = new FixturePrices(chain.Server.Node, Facts);
            if (symbol == Facts.ExchangeRateAggregator.Asset)
                await prices.SetExchangeRatioAsync(new BigInteger(decimal.Parse(Facts.ExchangeRateAggregator.Ratio, System.Globalization.CultureInfo.InvariantCulture) * factor));
            else await prices.ScaleUsdPriceAsync(symbol, factor);
            var snapshot = await chain.IndexHeadAsync();
            var state = Assert.Single(snapshot.AaveV3Markets());
            var market = state.Market;
            Assert.Equal(AaveV3Revision.V3_6, market.PoolRevision);
            BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
            var perKind = new Dictionary<string, int>();

            foreach (var account in state.Accounts)
            {
                var data = AaveV3AccountMath.Calculate(market, account, Price);
                if (!data.HasDebt || !data.IsLiquidatable) continue;
                AaveV3LiquidationDecision? chosen = null;
                (Address Collateral, Address Debt) pair = default;
                foreach (var (coll, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, account, Price))
                {
                    var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, Price));
                    if (d.Executed) { chosen = d; pair = (coll, debt); break; }
                    if (d.Reason == AaveV3LiquidationRule.MustNotLeaveDust)
                    {
                        // The chain refuses the same call with MustNotLeaveDust().
                        var error = await RevertOfAsync(coll, debt, account.Account);
                        Assert.True(error.Contains(DustSelector, StringComparison.OrdinalIgnoreCase) || error.Contains("MustNotLeaveDust", StringComparison.Ordinal),
                            $"the rule predicts MUST_NOT_LEAVE_DUST for {account.Account} but the chain said: {error}");
                        dustReverts++;
                    }
                }
                if (chosen is null) continue;
                var kind = Kind(market, account, pair.Collateral, pair.Debt, chosen, Price);
                if (perKind.GetValueOrDefault(kind) >= 2) continue; // two per kind and price level keep the test short
                perKind[kind] = perKind.GetValueOrDefault(kind) + 1;

                var deficitAssets = chosen.Deficits.Select(x => x.Asset).ToList();
                var deficitsBefore = new Dictionary<Address, BigInteger>();
                foreach (var a in deficitAssets) deficitsBefore[a] = await DeficitAsync(a);
                var debtBefore = await Liquidator.BalanceOfAsync(pair.Debt.Value, Liquidator.Liquidator);
                var collBefore = await Liquidator.BalanceOfAsync(pair.Collateral.Value, Liquidator.Liquidator);
                var outcome = await Liquidator.AaveLiquidateAsync(pair.Collateral.Value, pair.Debt.Value, account.Account.Value);
                var paid = debtBefore - await Liquidator.BalanceOfAsync(pair.Debt.Value, Liquidator.Liquidator);
                var received = await Liquidator.BalanceOfAsync(pair.Collateral.Value, Liquidator.Liquidator) - collBefore;
                output.WriteLine($"{symbol} x{factor}: {kind} {account.Account} HF {FixedPoint.FormatFixed(chosen.HealthFactor, 18)}: repaid {paid} ({chosen.DebtRepaid}), " +
                    $"seized {received} ({chosen.CollateralToLiquidator}), fee {outcome.ProtocolFee} ({chosen.ProtocolFee})" +
                    string.Concat(chosen.Deficits.Select(x => $", deficit {x.Amount} on {x.Asset}")));
                Assert.Equal(chosen.DebtRepaid, paid);
                Assert.Equal(chosen.DebtRepaid, outcome.DebtRepaid);
                Assert.Equal(chosen.CollateralToLiquidator, received);
                Assert.Equal(chosen.CollateralToLiquidator, outcome.CollateralToLiquidator);
                Assert.Equal(chosen.ProtocolFee, outcome.ProtocolFee);
                foreach (var x in chosen.Deficits)
                    Assert.Equal(deficitsBefore[x.Asset] + x.Amount, await DeficitAsync(x.Asset));
                foreach (var k in kind.Split(" + ")) kinds[k] = kinds.GetValueOrDefault(k) + 1;
                executed++;
            }
        }
        output.WriteLine($"{executed} liquidations equal to the rule; {dustReverts} dust reverts predicted and seen; kinds: " +
            string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ×{k.Value}")));
        Assert.True(executed >= 20, $"only {executed} liquidations checked");
        Assert.Contains("close factor 50 %", kinds.Keys);
        Assert.Contains("100 % (HF <= 0.95)", kinds.Keys);
        Assert.Contains("100 % (a leg under $2,000)", kinds.Keys);
        Assert.Contains("deficit booked", kinds.Keys);
        Assert.Contains("e-mode", kinds.Keys);
        Assert.Contains("e-mode-only collateral", kinds.Keys);
        Assert.True(dustReverts > 0, "no call that the dust rule refuses was met");
    }

    /// <summary>Which 3.3+ branch the call takes, and what else it exercises.</summary>
    private static string Kind(AaveV3Market market, AaveV3Account account, Address coll, Address debt, AaveV3LiquidationDecision d, Func<Address, BigInteger> price)
    {
        var c = account.Reserves.Single(r => r.Asset == coll);
        var b = account.Reserves.Single(r => r.Asset == debt);
        var collBase = c.Collateral * price(coll) / FixedPoint.Pow10(market.Reserve(coll).Decimals);
        var debtBase = FixedPoint.MulDivUp(b.TotalDebt, price(debt), FixedPoint.Pow10(market.Reserve(debt).Decimals));
        var kind = d.HealthFactor <= AaveV3LiquidationRule.CloseFactorHfThreshold ? "100 % (HF <= 0.95)"
            : collBase < AaveV3LiquidationRule.MinBaseMaxCloseFactorThreshold || debtBase < AaveV3LiquidationRule.MinBaseMaxCloseFactorThreshold ? "100 % (a leg under $2,000)"
            : "close factor 50 %";
        if (account.EModeCategory != 0) kind += " + e-mode";
        if (market.Reserve(coll).LiquidationThreshold == 0) kind += " + e-mode-only collateral";
        if (d.CollateralFromBorrower == c.Collateral) kind += " + collateral binds";
        if (d.Deficits.Count > 0) kind += " + deficit booked";
        return kind;
    }

    private async Task<BigInteger> DeficitAsync(Address asset)
    {
        var result = await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
        {
            ["to"] = Liquidator.Pool, ["data"] = Abi.Call("getReserveDeficit(address)", asset.Value),
        }, "latest");
        return Abi.UIntAt(result.GetString()!, 0);
    }

    /// <summary>The revert of <c>liquidationCall(coll, debt, user, max, false)</c> from the liquidator, as eth_call ("" if it would succeed).</summary>
    private async Task<string> RevertOfAsync(Address coll, Address debt, Address user)
    {
        try
        {
            await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["from"] = Liquidator.Liquidator, ["to"] = Liquidator.Pool,
                ["data"] = Abi.Call("liquidationCall(address,address,address,uint256,bool)", coll.Value, debt.Value, user.Value, AaveV3LiquidationContext.MaxDebtToCover, false),
            }, "latest");
            return "";
        }
        catch (DefiRiskException ex) { return ex.Message; }
    }
}
