using System.Numerics;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The 3.6 fixture's own cases on the real bytecode, to the wei: a collateral reserve at 100 % utilisation (ILQ), an isolated
/// collateral with a debt ceiling (ISO), and the whole book 30 days of interest later.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class AaveV36CasesParityTests(AaveV36ReplayChain chain, ITestOutputHelper output) : IClassFixture<AaveV36ReplayChain>
{
    private FixtureFacts Facts => chain.Server.Facts;
    private FixtureLiquidator Liquidator => chain.Liquidator;
    private Address Token(string symbol) => Address.Parse(Facts.Token(symbol).Address);

    /// <summary><c>Panic(uint256)</c> with code 0x11 (arithmetic underflow), as the revert data carries it.</summary>
    private const string UnderflowPanic = "0x4e487b710000000000000000000000000000000000000000000000000000000000000011";

    [Fact]
    public async Task At_full_utilisation_the_seized_collateral_cannot_leave_as_underlying_and_the_liquidator_takes_aTokens_or_another_collateral_as_the_rule_says()
    {
        await ResetAsync();
        await new FixturePrices(chain.Server.Node, Facts).ScaleUsdPriceAsync(FixtureBuilder.DrainedReserve.Symbol, 0.85m);
        var snapshot = await chain.IndexHeadAsync();
        var market = Assert.Single(snapshot.AaveV3Markets()).Market;
        var accounts = Assert.Single(snapshot.AaveV3Markets()).Accounts;
        Address ilq = Token(FixtureBuilder.DrainedReserve.Symbol), usdc = Token("USDC"), weth = Token("WETH");
        var reserve = market.Reserve(ilq);
        Assert.Equal(BigInteger.Zero, reserve.VirtualUnderlyingBalance);
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;

        int refused = 0, asATokens = 0, otherCollateral = 0;
        var illiquid = accounts.Where(a => a.Reserves.Any(r => r.Asset == ilq && r.UsedAsCollateral && !r.Collateral.IsZero)
            && AaveV3AccountMath.Calculate(market, a, Price).IsLiquidatable).ToList();
        Assert.True(illiquid.Count >= 3, $"only {illiquid.Count} liquidatable accounts hold the drained collateral");
        foreach (var account in illiquid)
        {
            // receiveAToken = false: the rule refuses, and so does the chain, with the virtual balance's underflow.
            var asUnderlying = AaveV3LiquidationRule.Instance.Decide(new(market, account, ilq, usdc, AaveV3LiquidationContext.MaxDebtToCover, Price));
            Assert.False(asUnderlying.Executed);
            Assert.Equal(AaveV3LiquidationRule.NotEnoughCash, asUnderlying.Reason);
            var error = await RevertOfAsync(ilq, usdc, account.Account, receiveAToken: false);
            Assert.Contains(UnderflowPanic, error, StringComparison.OrdinalIgnoreCase);
            refused++;

            // The liquidator's choice skips that pair: the next one it executes is another collateral, if the account has one.
            var pairs = AaveV3LiquidatorChoice.CandidatePairs(market, account, Price);
            Assert.Equal((ilq, usdc), pairs[0]); // the highest bonus comes first
            var next = pairs.Skip(1).Select(p => (Pair: p, Decision: AaveV3LiquidationRule.Instance.Decide(new(market, account, p.Collateral, p.Debt, AaveV3LiquidationContext.MaxDebtToCover, Price))))
                .FirstOrDefault(x => x.Decision.Executed);
            if (next.Decision is not null)
            {
                Assert.Equal(weth, next.Pair.Collateral);
                await AssertCallEqualsAsync(account, next.Pair.Collateral, next.Pair.Debt, next.Decision, receiveAToken: false);
                otherCollateral++;
                continue;
            }
            // Only the drained collateral: taking aTokens works, to the wei.
            var aTokens = AaveV3LiquidationRule.Instance.Decide(new(market, account, ilq, usdc, AaveV3LiquidationContext.MaxDebtToCover, Price, ReceiveAToken: true));
            Assert.True(aTokens.Executed, aTokens.Reason);
            await AssertCallEqualsAsync(account, ilq, usdc, aTokens, receiveAToken: true);
            asATokens++;
            // 3.6 no longer turns received aTokens on as the receiver's collateral (aave-v3-origin docs/3.6, "Automatic Collateral
            // Behavior"): the liquidator now holds the drained reserve's aTokens, and its collateral bit (2·id + 1) stays clear.
            var pool = chain.Server.Manifest.AaveV3()[0].Pool;
            Assert.True(await UIntCallAsync(reserve.AToken.Value, Abi.Call("balanceOf(address)", Liquidator.Liquidator)) > 0);
            var liquidatorConfig = await UIntCallAsync(pool, Abi.Call("getUserConfiguration(address)", Liquidator.Liquidator));
            Assert.True(((liquidatorConfig >> (2 * reserve.Id + 1)) & 1).IsZero, "the liquidator's received aTokens were enabled as collateral");
        }
        output.WriteLine($"{refused} calls refused for want of cash (rule and chain), {otherCollateral} liquidated through another collateral, {asATokens} through aTokens, to the wei");
        Assert.True(otherCollateral > 0 && asATokens > 0, "both ways out were not exercised");
    }

    [Fact]
    public async Task An_isolated_collateral_reads_its_debt_ceiling_and_isolation_debt_and_liquidations_lower_that_debt_as_the_rule_says()
    {
        await ResetAsync();
        await new FixturePrices(chain.Server.Node, Facts).ScaleUsdPriceAsync(FixtureBuilder.IsolatedReserve.Symbol, 0.90m);
        var snapshot = await chain.IndexHeadAsync();
        var state = Assert.Single(snapshot.AaveV3Markets());
        var market = state.Market;
        Address iso = Token(FixtureBuilder.IsolatedReserve.Symbol), usdc = Token("USDC");
        Assert.Equal(FixtureBuilder.IsolatedDebtCeiling, market.Reserve(iso).DebtCeiling);
        // The data provider's getter reads the same ceiling through another path.
        Assert.Equal(await UIntCallAsync(chain.Server.Manifest.AaveV3()[0].DataProvider, Abi.Call("getDebtCeiling(address)", iso.Value)), market.Reserve(iso).DebtCeiling);
        Assert.Equal(await IsolationDebtAsync(market.Pool, iso), market.Reserve(iso).IsolationModeTotalDebt);
        Assert.True(market.Reserve(iso).IsolationModeTotalDebt > 0);
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;

        var isolated = state.Accounts.Where(a => a.Reserves.Any(r => r.Asset == iso && r.UsedAsCollateral)).ToList();
        Assert.Equal(FixtureBuilder.CaseHealthFactors.Length, isolated.Count);
        await AssertAccountDataAsync(market, isolated, snapshot.Chain.BlockNumber);
        var liquidated = 0;
        foreach (var account in isolated.Where(a => AaveV3AccountMath.Calculate(market, a, Price).IsLiquidatable))
        {
            var context = new AaveV3LiquidationContext(market, account, iso, usdc, AaveV3LiquidationContext.MaxDebtToCover, Price);
            var d = AaveV3LiquidationRule.Instance.Decide(context);
            Assert.True(d.Executed, d.Reason);
            await AssertCallEqualsAsync(account, iso, usdc, d, receiveAToken: false);
            market = AaveV3LiquidationRule.MarketAfter(context, d);
            Assert.Equal(await IsolationDebtAsync(market.Pool, iso), market.Reserve(iso).IsolationModeTotalDebt);
            liquidated++;
        }
        output.WriteLine($"{isolated.Count} isolated accounts equal to getUserAccountData; {liquidated} liquidated, isolation debt now {market.Reserve(iso).IsolationModeTotalDebt} of ceiling {market.Reserve(iso).DebtCeiling} (cents)");
        Assert.True(liquidated >= 2, $"only {liquidated} isolated accounts were liquidatable at ISO −10 %");
    }

    [Fact]
    public async Task Thirty_days_of_interest_later_every_account_and_each_liquidation_equal_the_contracts_to_the_wei()
    {
        await ResetAsync();
        var before = await chain.IndexHeadAsync();
        var node = chain.Server.Node;
        await node.SetNextBlockTimestampAsync(before.Chain.BlockTimestamp + 30 * 24 * 3600);
        await node.MineAsync();
        await new FixturePrices(node, Facts).ScaleUsdPriceAsync("WETH", 0.80m);
        var snapshot = await chain.IndexHeadAsync();
        Assert.Equal(before.Chain.BlockTimestamp + 30 * 24 * 3600, snapshot.Chain.BlockTimestamp);
        var state = Assert.Single(snapshot.AaveV3Markets());
        var market = state.Market;

        // Interest did accrue: the drained reserve (100 % utilisation, 79 % a year) grew its borrow index by more than 5 %.
        var ilq = Token(FixtureBuilder.DrainedReserve.Symbol);
        var growth = (double)market.Reserve(ilq).VariableBorrowIndex / (double)Assert.Single(before.AaveV3Markets()).Market.Reserve(ilq).VariableBorrowIndex;
        Assert.True(growth > 1.05, $"ILQ's borrow index grew only ×{growth:0.0000} in 30 days");
        await AssertAccountDataAsync(market, state.Accounts, snapshot.Chain.BlockNumber);

        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
        var calls = 0;
        foreach (var account in state.Accounts.Where(a => AaveV3AccountMath.Calculate(market, a, Price) is { HasDebt: true, IsLiquidatable: true }))
        {
            foreach (var (coll, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, account, Price))
            {
                var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, Price));
                if (!d.Executed) continue;
                await AssertCallEqualsAsync(account, coll, debt, d, receiveAToken: false);
                calls++;
                break;
            }
            if (calls >= 12) break;
        }
        output.WriteLine($"30 days on (ILQ borrow index ×{growth:0.0000}): {state.Accounts.Count} accounts equal to getUserAccountData; {calls} liquidations equal to the rule after WETH −20 %");
        Assert.True(calls >= 5, $"only {calls} liquidations checked");
    }

    /// <summary>Back to the funded baseline, every later block at its timestamp (a test before may have moved the clock on).</summary>
    private async Task ResetAsync()
    {
        await chain.ResetAsync();
        await Liquidator.FreezeClockAsync();
    }

    private async Task AssertCallEqualsAsync(AaveV3Account account, Address coll, Address debt, AaveV3LiquidationDecision d, bool receiveAToken)
    {
        var outcome = await Liquidator.AaveLiquidateAsync(coll.Value, debt.Value, account.Account.Value, receiveAToken);
        Assert.Equal(d.DebtRepaid, outcome.DebtRepaid);
        Assert.Equal(d.CollateralToLiquidator, outcome.CollateralToLiquidator);
        Assert.Equal(d.ProtocolFee, outcome.ProtocolFee);
    }

    private async Task AssertAccountDataAsync(AaveV3Market market, IReadOnlyList<AaveV3Account> accounts, long block)
    {
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var batch = new ReadBatch();
        var reference = accounts.Select(a => batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(market.Pool.Value, new() { User = a.Account.Value })).ToList();
        await batch.ExecuteAsync(rpc, block, default);
        for (var i = 0; i < accounts.Count; i++)
        {
            var actual = AaveV3AccountMath.Calculate(market, accounts[i]);
            Assert.Equal(reference[i].Value.TotalCollateralBase, actual.TotalCollateralBase);
            Assert.Equal(reference[i].Value.TotalDebtBase, actual.TotalDebtBase);
            Assert.Equal(reference[i].Value.HealthFactor, actual.HealthFactor);
        }
    }

    /// <summary><c>getReserveData(asset).isolationModeTotalDebt</c> (the 15th word of the legacy struct).</summary>
    private async Task<BigInteger> IsolationDebtAsync(Address pool, Address asset)
    {
        var result = await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = pool.Value, ["data"] = Abi.Call("getReserveData(address)", asset.Value) }, "latest");
        return Abi.UIntAt(result.GetString()!, 14);
    }

    private async Task<BigInteger> UIntCallAsync(string to, string data)
    {
        var result = await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest");
        return Abi.UIntAt(result.GetString()!, 0);
    }

    /// <summary>The revert of <c>liquidationCall(coll, debt, user, max, receiveAToken)</c> from the liquidator, as eth_call ("" if it would succeed).</summary>
    private async Task<string> RevertOfAsync(Address coll, Address debt, Address user, bool receiveAToken)
    {
        try
        {
            await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["from"] = Liquidator.Liquidator, ["to"] = Liquidator.Pool,
                ["data"] = Abi.Call("liquidationCall(address,address,address,uint256,bool)", coll.Value, debt.Value, user.Value, AaveV3LiquidationContext.MaxDebtToCover, receiveAToken),
            }, "latest");
            return "";
        }
        catch (DefiRiskException ex) { return ex.Message; }
    }
}
