using System.Numerics;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// What a call costs the liquidator on the exact path (<see cref="LiquidatorModel"/>): the flash loan that funds the
/// repayment (<see cref="FlashFunding"/>, balances moved by the cascade's liquidations), the base gas per call and the gas
/// of every extra leg of a split sale (<see cref="Venues.LegGasExecution"/>).
/// </summary>
internal sealed partial class ExactCascade
{
    internal const string NoFlashLiquidity = "no flash-loan liquidity: the lenders' balances together do not cover the repayment";

    /// <summary>How repaying <paramref name="repaid"/> of <paramref name="debt"/> is funded now (own funds when not flash-loan funded).</summary>
    private FlashQuote Funding(int debt, BigInteger repaid) => _flash?.Quote(debt, repaid) ?? FlashQuote.OwnFunds;

    /// <summary>One extra leg's gas in base units of <paramref name="to"/> at its market price (floor; zero = legs are free).</summary>
    private BigInteger LegCost(int to, BigInteger[] market) =>
        _o.Liquidators.LegGasCostUsd.Sign <= 0 || market[to].IsZero ? BigInteger.Zero
        : _o.Liquidators.LegGasCostUsd * FixedPoint.Pow10(_s.Assets[to].Decimals) / market[to];

    /// <summary>Gas of the last sale's legs beyond the first, USD 8 decimals.</summary>
    private BigInteger ExtraLegsGasUsd8 => _o.Liquidators.BestExecution && _legs.Count > 1 ? (_legs.Count - 1) * _o.Liquidators.LegGasCostUsd : BigInteger.Zero;

    /// <summary>(proceeds − repaid − fee) at the debt's market price − base gas − the last sale's extra legs' gas, USD 8 decimals.</summary>
    private BigInteger CallProfitUsd8(int debt, BigInteger proceeds, BigInteger repaid, BigInteger fee, BigInteger[] market) =>
        (proceeds - repaid - fee) * market[debt] / FixedPoint.Pow10(_s.Assets[debt].Decimals) - _o.GasCostUsd - ExtraLegsGasUsd8;
}
