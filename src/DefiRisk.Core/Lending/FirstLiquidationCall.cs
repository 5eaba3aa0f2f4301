using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>
/// "What a liquidator would seize": the first liquidation call on one position, as its family's rule executes it with the
/// arguments the cascade's liquidator picks (<see cref="ILendingBook.FirstCall"/>). Amounts in base units:
/// <see cref="DebtRepaid"/> of <see cref="DebtAsset"/> (what the liquidator pays), <see cref="CollateralToLiquidator"/> and
/// <see cref="ProtocolFee"/> (the protocol's share of the bonus, 0 where the rule has none) of <see cref="CollateralAsset"/>;
/// the borrower loses <see cref="CollateralSeized"/> = both. <see cref="RepayArgument"/>: what a liquidator passes to make exactly
/// this call on the snapshot's state — an amount of the debt asset (Aave's <c>debtToCover</c>) or of the family's own unit (Morpho's
/// <c>repaidShares</c>); zero when the call is sized by <see cref="SeizeArgument"/> (collateral base units) instead. Balances are the
/// snapshot's: interest accrued before a later call is not modelled (each family's implementation says what that changes).
/// Values: USD 8 decimals at the snapshot's oracle prices, in the family's own valuation (as <see cref="PositionHealth"/>'s).
/// Symbols: on-chain strings, escaped by whoever prints them.
/// </summary>
public sealed record FirstLiquidationCall(
    Address CollateralAsset,
    string CollateralSymbol,
    Address DebtAsset,
    string DebtSymbol,
    BigInteger DebtRepaid,
    BigInteger CollateralToLiquidator,
    BigInteger ProtocolFee,
    BigInteger RepayArgument,
    BigInteger SeizeArgument,
    BigInteger DebtRepaidUsd8,
    BigInteger CollateralSeizedUsd8,
    BigInteger CollateralToLiquidatorUsd8)
{
    public BigInteger CollateralSeized => CollateralToLiquidator + ProtocolFee;

    /// <summary>Report view of <see cref="DebtRepaidUsd8"/>.</summary>
    public double DebtRepaidUsd => (double)DebtRepaidUsd8 / 1e8;

    /// <summary>Report view of <see cref="CollateralSeizedUsd8"/>.</summary>
    public double CollateralSeizedUsd => (double)CollateralSeizedUsd8 / 1e8;
}
