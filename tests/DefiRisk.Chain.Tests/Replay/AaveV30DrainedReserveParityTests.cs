using System.Numerics;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Replay;

/// <summary>
/// Before 3.1 (the demo fixture runs <c>@aave/core-v3</c>), a liquidator who takes the underlying can take no more than the
/// collateral aToken holds: <c>AToken.burn</c> transfers it before the liquidator pays the debt in. With WETH borrowed out of
/// its aToken, the rule refuses every WETH-collateral call with <c>receiveAToken = false</c>, as the real pool does, and a call
/// for aTokens still equals the rule to the wei.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class AaveV30DrainedReserveParityTests(ReplayChain chain) : IClassFixture<ReplayChain>
{
    [Fact]
    public async Task With_the_collaterals_underlying_borrowed_out_the_pool_and_the_rule_refuse_it_as_underlying_and_agree_to_the_wei_on_aTokens()
    {
        await chain.ResetAsync();
        var liquidator = chain.Liquidator;
        var facts = chain.Server.Facts;
        var (weth, usdc) = (facts.Token("WETH"), facts.Token("USDC"));

        // Drain WETH: the (funded) liquidator supplies USDC and borrows every WETH the aToken holds.
        await liquidator.SendAsync(liquidator.Pool, Abi.Call("supply(address,uint256,address,uint16)", usdc.Address, BigInteger.Pow(10, 24), liquidator.Liquidator, 0), "supply USDC");
        var held = await liquidator.BalanceOfAsync(weth.Address, weth.AToken);
        Assert.True(held > 0);
        await liquidator.SendAsync(liquidator.Pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", weth.Address, held, 2, 0, liquidator.Liquidator), "borrow all WETH");
        Assert.Equal(BigInteger.Zero, await liquidator.BalanceOfAsync(weth.Address, weth.AToken));
        await new FixturePrices(chain.Server.Node, facts).ScaleUsdPriceAsync("WETH", 0.8m);

        var snapshot = await chain.IndexAsync(new IndexCommand.BlockChoice(null, true));
        var state = Assert.Single(snapshot.AaveV3Markets());
        var market = state.Market;
        Assert.True(market.PoolRevision < AaveV3Revision.V3_1);
        Assert.Equal(BigInteger.Zero, market.Reserve(Address.Parse(weth.Address)).UnderlyingBalance);
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;

        var checkedCalls = 0;
        foreach (var account in state.Accounts)
        {
            if (checkedCalls == 4) break;
            if (!AaveV3AccountMath.Calculate(market, account, Price).IsLiquidatable) continue;
            var pair = AaveV3LiquidatorChoice.CandidatePairs(market, account, Price).FirstOrDefault(p => p.Collateral == Address.Parse(weth.Address));
            if (pair == default) continue;
            var (coll, debt) = pair;
            var asUnderlying = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, Price));
            Assert.Equal(AaveV3LiquidationRule.NotEnoughUnderlying, asUnderlying.Reason);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => liquidator.AaveLiquidateAsync(coll.Value, debt.Value, account.Account.Value));
            Assert.Contains("reverted", refused.Message);

            var asATokens = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, Price, ReceiveAToken: true));
            Assert.True(asATokens.Executed, asATokens.Reason);
            var outcome = await liquidator.AaveLiquidateAsync(coll.Value, debt.Value, account.Account.Value, receiveAToken: true);
            Assert.Equal((asATokens.DebtRepaid, asATokens.CollateralToLiquidator, asATokens.ProtocolFee), (outcome.DebtRepaid, outcome.CollateralToLiquidator, outcome.ProtocolFee));
            checkedCalls++;
        }
        Assert.True(checkedCalls >= 3, $"only {checkedCalls} liquidatable accounts with WETH collateral at WETH x0.8");
    }
}
