using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

namespace DefiRisk.Reporting;

/// <summary>The assumptions section, read off the options the analyser actually ran with (so the report cannot drift from them).</summary>
public static class ReportAssumptions
{
    public const string CircuitBreakerLabel = "Circuit breaker";

    /// <param name="liquiditySource">where the pools came from, e.g. "pairs indexed at the snapshot block"; null = the venues' pools in the snapshot.</param>
    public static IReadOnlyList<Assumption> From(Snapshot snapshot, ReportParts parts, SimulationOptions options, string? liquiditySource = null)
    {
        var numeraire = options.Numeraire is { } n ? snapshot.FindAsset(n)?.Symbol ?? n.ToString() : "USDC (else the most-pooled asset)";
        var list = new List<Assumption>
        {
            new("Liquidity source", (liquiditySource ?? string.Join(", ", parts.VenuesIn(snapshot).Select(v => v.PoolsName)) + " in the snapshot") +
                $" ({parts.Venues.Sum(v => v.PoolCount(snapshot))} pairs); seized collateral is sold at once into them, reserves update after every swap"),
            new("Numeraire", numeraire),
            new("Gas cost per liquidation call", Format.Usd(Format.Usd8ToDouble(options.GasCostUsd))),
            new("Oracle model", options.OracleModel switch
            {
                ImmediateOracle => "market feeds follow the pool price in the same round; exchange-rate oracles follow their base feed",
                LaggedOracle l => $"market feeds show the pool price of {l.LagRounds} round(s) earlier; exchange-rate oracles follow their base feed",
                var other => other.GetType().Name,
            }),
            new("Max rounds", Format.Int(options.MaxRounds)),
            new("Step length", $"{Format.Int(options.StepSeconds)} s per round: round r runs at the snapshot's block time + r × {Format.Int(options.StepSeconds)} s, " +
                "and time-bound rules (a lending protocol's liquidation grace period) are checked at that time; on mainnet (12 s blocks) a round is " +
                (options.StepSeconds / 12m).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " block(s)"),
            new("Liquidator capital per round", options.LiquidatorCapitalPerRoundUsd is { } cap ? Format.Usd(Format.Usd8ToDouble(cap)) : "unlimited"),
            new("Calls per position per round", Format.Int(options.MaxCallsPerPositionPerRound)),
            new(CircuitBreakerLabel, options.CircuitBreaker.Name),
        };
        // The protocols' and venues' own assumptions, for the books and pools in this snapshot.
        list.AddRange(parts.Protocols.SelectMany(p => p.Assumptions(snapshot)).Concat(parts.Venues.SelectMany(v => v.Assumptions(snapshot)))
            .Select(a => new Assumption(a.Label, a.Value)));
        return list;
    }
}
