using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The edge of 3.3+'s close factor on the real 3.6 bytecode: <c>LiquidationLogic</c> keeps the 50 % close factor only while
/// <c>healthFactor &gt; CLOSE_FACTOR_HF_THRESHOLD</c> (0.95e18), so a position at exactly 0.95e18 may be repaid in full and one
/// a wei above may not. A fresh borrower (WBTC collateral, USDC debt, both legs far above the $2,000 threshold) is priced onto
/// each side with the oracle feeds, read back with <c>getUserAccountData</c>, and one <c>liquidationCall</c> is compared with
/// <see cref="AaveV3LiquidationRule"/> to the wei.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class AaveV36CloseFactorThresholdTests(AaveV36ReplayChain chain, ITestOutputHelper output) : IClassFixture<AaveV36ReplayChain>
{
    /// <summary>An address no fixture actor uses; anvil impersonates it.</summary>
    private const string Borrower = "0x0000000000000000000000000000000000095e18";
    /// <summary>About 1,400 WBTC against 60 M USDC: the debt is large enough (above 5e15 base) that one step of the weighted
    /// collateral past 9,500 × debt moves the health factor by exactly 1 wei. Amounts are not round, so the collateral and debt
    /// bases a price step reaches do not share the factors of 9,500 and the LT (round amounts leave no solution).</summary>
    private static readonly BigInteger WbtcSupplied = 140_012_345_678, UsdcBorrowed = 60_000_000_123_457;
    private static readonly BigInteger UsdcLiquidity = 100_000_000 * BigInteger.Pow(10, 6);

    private FixtureFacts Facts => chain.Server.Facts;
    private FixtureLiquidator Liquidator => chain.Liquidator;

    [Fact]
    public async Task At_a_health_factor_of_exactly_0_95_the_whole_debt_is_repaid_and_one_wei_above_only_half_as_the_rule_predicts()
    {
        // Exactly at the threshold: 100 % of the debt.
        var atThreshold = await LiquidateAtAsync(excess: 0);
        Assert.Equal(AaveV3LiquidationRule.CloseFactorHfThreshold, atThreshold.HealthFactor);
        Assert.Equal(atThreshold.Debt, atThreshold.Repaid);

        // The closest reachable point above it (9,500 × debt + 100, 100 = gcd(WBTC's LT 7,800, 9,500)): 50 %.
        var above = await LiquidateAtAsync(excess: 100);
        Assert.Equal(AaveV3LiquidationRule.CloseFactorHfThreshold + 1, above.HealthFactor);
        Assert.True(above.Repaid < above.Debt && BigInteger.Abs(2 * above.Repaid - above.Debt) <= above.Debt / 1000,
            $"one wei above 0.95 the call repaid {above.Repaid} of {above.Debt}, not half");
    }

    private sealed record Case(BigInteger HealthFactor, BigInteger Debt, BigInteger Repaid);

    /// <summary>Opens the position, sets the WBTC and USDC feeds so that Σ collateral·LT = 9,500 · debt + <paramref name="excess"/>
    /// (base units × bps), checks the chain's health factor, and liquidates once with the model's prediction beside it.</summary>
    private async Task<Case> LiquidateAtAsync(BigInteger excess)
    {
        await chain.ResetAsync();
        await Liquidator.FreezeClockAsync();
        var wbtc = Facts.Token("WBTC");
        var usdc = Facts.Token("USDC");
        var pool = Liquidator.Pool;

        // Liquidity for the loan, then the borrower's position at the fixture's prices.
        await Liquidator.SendAsync(pool, Abi.Call("supply(address,uint256,address,uint16)", usdc.Address, UsdcLiquidity, Liquidator.Liquidator, 0), "supply USDC liquidity");
        await chain.Server.Node.ImpersonateAsync(Borrower);
        await chain.Server.Node.SetBalanceAsync(Borrower, BigInteger.Pow(10, 20));
        await Liquidator.SendAsync(wbtc.Address, Abi.Call("mint(address,uint256)", Borrower, WbtcSupplied), "mint WBTC to the borrower");
        await SendAsync(Borrower, wbtc.Address, Abi.Call("approve(address,uint256)", pool, WbtcSupplied));
        await SendAsync(Borrower, pool, Abi.Call("supply(address,uint256,address,uint16)", wbtc.Address, WbtcSupplied, Borrower, 0));
        await SendAsync(Borrower, pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", usdc.Address, UsdcBorrowed, 2, 0, Borrower));

        // The balances the pool values (index-rounded), then prices that put the weighted collateral where we want it.
        var collateral = await BalanceAsync(wbtc.AToken, Borrower);
        var debt = await BalanceAsync(usdc.VariableDebtToken, Borrower);
        var lt = FixtureBuilder.Reserves.Single(r => r.Symbol == "WBTC").LiquidationThreshold;
        var (wbtcPrice, usdcPrice, expectedHf) = SolvePrices(collateral, wbtc.Decimals, debt, usdc.Decimals, lt, excess);
        var prices = new FixturePrices(chain.Server.Node, Facts);
        await prices.SetUsdPriceAsync("WBTC", wbtcPrice);
        await prices.SetUsdPriceAsync("USDC", usdcPrice);

        // The chain's own health factor must be the one aimed at, or the case proves nothing.
        var chainHf = (await Liquidator.AaveAccountDataAsync([Borrower]))[Borrower].HealthFactor;
        Assert.Equal(expectedHf, chainHf);

        var snapshot = await chain.IndexHeadAsync();
        var state = Assert.Single(snapshot.AaveV3Markets());
        var market = state.Market;
        Assert.Equal(AaveV3Revision.V3_6, market.PoolRevision);
        var account = Assert.Single(state.Accounts, a => a.Account == Address.Parse(Borrower));
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
        Assert.Equal(chainHf, AaveV3AccountMath.Calculate(market, account, Price).HealthFactor);

        var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, Address.Parse(wbtc.Address), Address.Parse(usdc.Address), AaveV3LiquidationContext.MaxDebtToCover, Price));
        Assert.True(d.Executed, d.Reason);
        var outcome = await Liquidator.AaveLiquidateAsync(wbtc.Address, usdc.Address, Borrower);
        output.WriteLine($"HF {chainHf} (WBTC ${FixedPoint.FormatFixed(wbtcPrice, 8)}, USDC ${FixedPoint.FormatFixed(usdcPrice, 8)}): debt {debt}, " +
            $"repaid {outcome.DebtRepaid} (model {d.DebtRepaid}), seized {outcome.CollateralToLiquidator} (model {d.CollateralToLiquidator}), " +
            $"fee {outcome.ProtocolFee} (model {d.ProtocolFee})");
        Assert.Equal(d.DebtRepaid, outcome.DebtRepaid);
        Assert.Equal(d.CollateralToLiquidator, outcome.CollateralToLiquidator);
        Assert.Equal(d.ProtocolFee, outcome.ProtocolFee);
        return new Case(chainHf, debt, outcome.DebtRepaid);
    }

    /// <summary>
    /// 3.6 <c>GenericLogic</c>: collateral base = ⌊balance·price / unit⌋, debt base = ⌈debt·price / unit⌉, and
    /// HF = (Σ collateral base·LT).wadDiv(debt base) / 10⁴. Stepping the USDC price up from $1, the first debt base b for which
    /// 9,500·b + excess is a multiple of LT and its quotient is a reachable collateral base gives the prices; the health
    /// factor that follows is returned for the chain to confirm.
    /// </summary>
    private static (BigInteger CollateralPrice, BigInteger DebtPrice, BigInteger HealthFactor) SolvePrices(
        BigInteger collateral, int collateralDecimals, BigInteger debt, int debtDecimals, int lt, BigInteger excess)
    {
        BigInteger uC = BigInteger.Pow(10, collateralDecimals), uD = BigInteger.Pow(10, debtDecimals);
        for (BigInteger debtPrice = 100_000_000; debtPrice < 110_000_000; debtPrice++)
        {
            var debtBase = FixedPoint.MulDivUp(debt, debtPrice, uD);
            var weighted = 9_500 * debtBase + excess;
            if (!(weighted % lt).IsZero) continue;
            var collateralBase = weighted / lt;
            var collateralPrice = FixedPoint.MulDivUp(collateralBase, uC, collateral);
            if (collateral * collateralPrice / uC != collateralBase) continue;
            var hf = (weighted * FixedPoint.Wad + debtBase / 2) / debtBase / 10_000;
            return (collateralPrice, debtPrice, hf);
        }
        throw new InvalidOperationException($"no USDC price within 10 % of $1 puts the weighted collateral at 9,500 × debt + {excess}");
    }

    private async Task<BigInteger> BalanceAsync(string token, string holder) => await Liquidator.BalanceOfAsync(token, holder);

    private async Task SendAsync(string from, string to, string data)
    {
        var hash = (await chain.Server.Node.Rpc.CallAsync("eth_sendTransaction", new Dictionary<string, object>
        {
            ["from"] = from, ["to"] = to, ["data"] = data, ["gas"] = "0x4c4b40",
        })).GetString()!;
        // Anvil answers eth_sendTransaction before its automine task has sealed the block: poll briefly.
        var receipt = await chain.Server.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; i < 2000 && receipt.ValueKind == JsonValueKind.Null; i++)
        {
            await Task.Delay(1);
            receipt = await chain.Server.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
    }
}
