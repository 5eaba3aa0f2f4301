using System.Numerics;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// How liquidators trade and pay (issue 12 item 4). <see cref="Router"/> (the default) is the model the on-chain cascade
/// replay mirrors call for call: each sale down the fewest-hop route, the collateral/debt pair in the family's documented
/// order (Aave: bonus first), no funding cost. <see cref="Market"/> is the liquidator as mainnet has them:
/// <list type="bullet">
/// <item>Best execution: each sale split across every route to the debt asset (<see cref="Venues.BestExecution"/>:
/// <see cref="SaleChunks"/> pieces, marginal prices equalised to within a piece), one swap per route.</item>
/// <item>The collateral/debt pair chosen by profit (proceeds − repaid − funding − gas, at market prices), not by bonus;
/// ties keep the family's order.</item>
/// <item>Flash-loan funded unless a capital cap is set (<see cref="SimulationOptions.LiquidatorCapitalPerRoundUsd"/>): the
/// cheapest flash loan of the debt asset that covers the repayment, which is Morpho Blue's <c>flashLoan</c> (no fee, up to
/// Morpho's balance of the token) when it can, else Aave's at <c>FLASHLOAN_PREMIUM_TOTAL</c>; with no lender for the asset,
/// the liquidator's own funds at no cost.</item>
/// <item>A gas cost per call of <see cref="DefaultGasCostUsd"/> unless one is given (<see cref="SimulationOptions.WithMarketLiquidators"/>).</item>
/// <item>Each call sized for profit (<see cref="SizeByProfit"/>): a smaller call when the largest earns less.</item>
/// </list>
/// </summary>
public sealed record LiquidatorModel
{
    /// <summary>Split each sale across routes for the best proceeds (false: the single fewest-hop route).</summary>
    public bool BestExecution { get; init; }

    /// <summary>Pick the collateral/debt pair that pays the most (false: the family's documented order).</summary>
    public bool PairByProfit { get; init; }

    /// <summary>Borrow the repayment by flash loan and pay its fee (false, or a capital cap set: own funds, no cost).</summary>
    public bool FlashLoans { get; init; }

    /// <summary>
    /// Size each call for the most profit (<see cref="Lending.CallSizing"/>): a smaller call than the protocol allows when it
    /// earns more (the sale saturates the venues), the rest left for a later round after arbitrage (false: the largest call
    /// the protocol allows, as the replay model's liquidator makes it).
    /// </summary>
    public bool SizeByProfit { get; init; }

    /// <summary>Pieces a sale is cut into to find the split.</summary>
    public int SaleChunks { get; init; } = Venues.BestExecution.DefaultChunks;

    /// <summary>
    /// Gas per liquidation call when the market model sets it: USD 15 (8 decimals) = 500,000 gas (≈ 300k for
    /// <c>liquidationCall</c>, ≈ 200k for the flash loan and two swaps) × 10 gwei × $3,000/ETH. On a mainnet fork: a
    /// quiet-block figure; in a crash gas spikes, so this understates costs and overstates liquidations of small positions.
    /// </summary>
    public static readonly BigInteger DefaultGasCostUsd = 15 * 100_000_000L;

    /// <summary>
    /// Gas of each leg of a split sale beyond the first, USD 8 decimals (<see cref="Venues.LegGasExecution"/>): a leg joins
    /// only if its extra proceeds beat it, and a call's gas is the base gas plus this per extra leg. Default
    /// <see cref="DefaultLegGasCostUsd"/>; zero = legs are free (the split of issue 12's first market model).
    /// </summary>
    public BigInteger LegGasCostUsd { get; init; } = DefaultLegGasCostUsd;

    /// <summary>USD 3 (8 decimals) = 100,000 gas (one more swap call, a Uniswap v2/v3 hop ≈ 60–130k) × 10 gwei × $3,000/ETH.</summary>
    public static readonly BigInteger DefaultLegGasCostUsd = 3 * 100_000_000L;

    /// <summary>Fewest-hop routes, pair by the family's order, no funding cost (what the replay on chain mirrors).</summary>
    public static LiquidatorModel Router { get; } = new();

    /// <summary>Best execution, pair by profit, flash loans, calls sized by profit.</summary>
    public static LiquidatorModel Market { get; } = new() { BestExecution = true, PairByProfit = true, FlashLoans = true, SizeByProfit = true };

    public bool IsRouter => !BestExecution && !PairByProfit && !FlashLoans && !SizeByProfit;
}
