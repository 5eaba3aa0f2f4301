namespace DefiRisk.Core.Analysis;

/// <summary>What a call costs the liquidator on the fast path: the exact path's rule (<c>ExactCascade.Liquidators.cs</c>) on doubles.</summary>
internal sealed partial class FastCascade
{
    /// <summary>One extra leg's gas in base units of <paramref name="to"/> at its market price (floor, as the exact path).</summary>
    private double LegCost(Lending.FastRound round, int to) =>
        o.Liquidators.LegGasCostUsd.Sign <= 0 || !(round.Market[to] > 0) ? 0
        : Math.Floor((double)o.Liquidators.LegGasCostUsd / 1e8 * m.Unit[to] / round.Market[to]);

    /// <summary>Gas of a sale's legs beyond the first, USD.</summary>
    private double ExtraLegsGasUsd(int legs) => o.Liquidators.BestExecution && legs > 1 ? (legs - 1) * (double)o.Liquidators.LegGasCostUsd / 1e8 : 0;
}
