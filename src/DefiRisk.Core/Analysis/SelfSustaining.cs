namespace DefiRisk.Core.Analysis;

/// <summary>
/// When a cascade counts as self-sustaining: liquidations in at least <see cref="MinRounds"/> rounds after the exogenous
/// drop has reached the oracles, AND those later rounds are material — together they repay at least
/// <see cref="MaterialShare"/> of the cascade's liquidated value and at least <see cref="MaterialUsd"/>. A cascade that
/// adds one small liquidation after the shock and stops is the shock's own effect, not a spiral.
/// </summary>
public static class SelfSustaining
{
    public const int MinRounds = 2;

    /// <summary>1 % of the cascade's liquidated value.</summary>
    public const double MaterialShare = 0.01;

    /// <summary>$10,000 of debt repaid.</summary>
    public const double MaterialUsd = 10_000;

    /// <summary>The definition in words, for reports.</summary>
    public const string Definition =
        "self-sustaining = liquidations in at least 2 rounds after the shock has reached the oracles, which together repay at least 1 % of the liquidated value and at least $10,000";

    public static bool Holds(int roundsAfterDrop, double liquidatedAfterDropUsd, double liquidatedTotalUsd) =>
        roundsAfterDrop >= MinRounds && liquidatedAfterDropUsd >= MaterialUsd && liquidatedAfterDropUsd >= MaterialShare * liquidatedTotalUsd;

    /// <summary>Debt repaid (USD) in the rounds after the drop reached the oracles (round &gt; steps − 1 + lag).</summary>
    public static double LiquidatedAfterDrop(CascadeResult r, int steps, int lagRounds) =>
        r.Rounds.Where(x => x.Round > steps - 1 + lagRounds).SelectMany(x => x.Liquidations).Sum(l => l.DebtRepaidUsd);
}
