using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

// "What a liquidator would seize" for Aave v3: the exact run's first call on one account, without the desk.
public sealed partial record AaveV3Book
{
    /// <summary>
    /// <c>liquidationCall(collateral, debt, user, type(uint256).max, false)</c> on the first pair of
    /// <see cref="AaveV3LiquidatorChoice.CandidatePairs"/> that the book's rule executes at <paramref name="blockTime"/> (a pair still
    /// in a grace period, or one that would leave dust, is skipped as the exact run skips it), at the reserves' snapshot oracle prices.
    /// <see cref="FirstLiquidationCall.RepayArgument"/> is the debt repaid: passed as <c>debtToCover</c> it makes this call on the snapshot's
    /// balances, and the same call later for a part of the debt (the close factor only grows with interest). A call that repays the whole
    /// debt does not survive interest accrued before it (e.g. during a grace period): 3.3+ refuses to leave that interest as dust, so the
    /// liquidator passes <c>type(uint256).max</c> and repays and seizes that much more. Balances are the snapshot's: the model has no
    /// interest rates. Values: base currency (<c>getAssetPrice</c> at the prices the rule used) → USD 8 decimals.
    /// </summary>
    public FirstLiquidationCall? FirstCall(AssetIndex assets, PositionHealth position, long blockTime, out string? refused)
    {
        var (market, account) = AccountAt(position);
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
        refused = AaveV3ExactRun.NothingToSeize;
        foreach (var (collateral, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, account, Price))
        {
            var d = LiquidationRule.Decide(new AaveV3LiquidationContext(market, account, collateral, debt, AaveV3LiquidationContext.MaxDebtToCover, Price,
                BlockTimestamp: blockTime));
            if (!d.Executed) { refused = d.Reason; continue; }
            refused = null;
            var (c, l) = (market.Reserve(collateral), market.Reserve(debt));
            BigInteger Usd8(BigInteger amount, BigInteger price, int decimals) => ToUsd8(amount * price / FixedPoint.Pow10(decimals), market.BaseCurrencyUnit);
            return new FirstLiquidationCall(collateral, assets.Assets[assets[collateral]].Symbol, debt, assets.Assets[assets[debt]].Symbol,
                d.DebtRepaid, d.CollateralToLiquidator, d.ProtocolFee, d.DebtRepaid, 0,
                Usd8(d.DebtRepaid, d.DebtPrice, l.Decimals), Usd8(d.CollateralFromBorrower, d.CollateralPrice, c.Decimals),
                Usd8(d.CollateralToLiquidator, d.CollateralPrice, c.Decimals));
        }
        return null;
    }

    /// <summary>The market and account behind a <see cref="Positions"/> index (every account of every market, in book order).</summary>
    private (AaveV3Market Market, AaveV3Account Account) AccountAt(PositionHealth position)
    {
        var i = position.Index;
        foreach (var state in Markets)
        {
            if (i < state.Accounts.Count)
            {
                var account = state.Accounts[i];
                if (account.Account != position.Account)
                    throw new DefiRiskException($"position {position.Index} of the Aave book is {account.Account}, not {position.Account}: not a position of this book");
                return (state.Market, account);
            }
            i -= state.Accounts.Count;
        }
        throw new DefiRiskException($"position {position.Index} ({position.Account}) is not in the Aave book");
    }
}
