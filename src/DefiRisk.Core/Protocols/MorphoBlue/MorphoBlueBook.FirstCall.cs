using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

// "What a liquidator would seize" for Morpho Blue: the exact run's (only) call on one position, without the desk.
public sealed partial record MorphoBlueBook
{
    /// <summary>
    /// <c>liquidate(marketParams, borrower, seizedAssets, repaidShares, "")</c> with <see cref="MorphoBlueLiquidatorChoice.Arguments"/>
    /// (repay every borrow share, or seize all collateral) at the market's snapshot <c>price()</c>. Morpho has no time-bound rule and no
    /// protocol fee. Values as <see cref="Positions"/> values the position: collateral in loan units at <c>price()</c> (floor), times the
    /// loan token's USD price.
    /// </summary>
    public FirstLiquidationCall? FirstCall(AssetIndex assets, PositionHealth position, long blockTime, out string? refused)
    {
        var (market, p) = PositionAt(position);
        var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(market, p, market.OraclePrice);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(market, p, seize, shares, market.OraclePrice));
        if (!d.Executed) { refused = d.Reason; return null; }
        refused = null;
        int c = assets[market.CollateralToken], l = assets[market.LoanToken];
        var loanUsd = assets.SnapshotUsd[l];
        var unit = FixedPoint.Pow10(assets.Assets[l].Decimals);
        var seizedUsd8 = FixedPoint.MulDivDown(d.SeizedAssets, market.OraclePrice, FixedPoint.OraclePriceScale) * loanUsd / unit;
        return new FirstLiquidationCall(market.CollateralToken, assets.Assets[c].Symbol, market.LoanToken, assets.Assets[l].Symbol,
            d.RepaidAssets, d.SeizedAssets, 0, shares, seize, d.RepaidAssets * loanUsd / unit, seizedUsd8, seizedUsd8);
    }

    /// <summary>The market and position behind a <see cref="Positions"/> index (every position of every singleton, in book order).</summary>
    private (MorphoBlueMarket Market, MorphoBluePosition Position) PositionAt(PositionHealth position)
    {
        var i = position.Index;
        foreach (var state in Instances)
        {
            if (i < state.Positions.Count)
            {
                var p = state.Positions[i];
                if (p.Account != position.Account)
                    throw new DefiRiskException($"position {position.Index} of the Morpho book is {p.Account}, not {position.Account}: not a position of this book");
                return (state.Markets.FirstOrDefault(m => m.Id == p.MarketId)
                    ?? throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot"), p);
            }
            i -= state.Positions.Count;
        }
        throw new DefiRiskException($"position {position.Index} ({position.Account}) is not in the Morpho book");
    }
}
