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
            new("Market model", MarketModelChoice.Name(options) switch
            {
                MarketModelChoice.Replay => "replay (--market replay): a shock re-prices the first pool of the asset's route and prices are read off that route; each sale goes down the " +
                    "fewest-hop route, pairs in the protocol's order, no funding cost — what the on-chain replay mirrors call for call; on a mainnet fork it leaves the asset's other pools " +
                    "at the old price (run --market mainnet for one price, arbitrage and best execution)",
                MarketModelChoice.Mainnet => "mainnet (--market mainnet): one market price per asset with arbitrage across its venues, best execution, the pair by profit, flash loans " +
                    "and gas, as the two lines below state",
                _ => "custom (set in code): as the lines below state",
            }),
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
        // Issue 12 items 3–4: which market and liquidator models made the numbers, always stated (the market model is the CLI's
        // default; `--market replay` is the one the on-chain replay mirrors).
        if (options.Liquidators.IsRouter)
            list.Add(new("Liquidators", "each sale down the fewest-hop route; the collateral/debt pair in the lending family's documented order (largest bonus first where it has one); " +
                $"own funds at no cost; gas {Format.Usd(Format.Usd8ToDouble(options.GasCostUsd))} per call (the replay model, --market replay: what the on-chain replay mirrors)"));
        else
        {
            var l = options.Liquidators;
            list.Add(new("Liquidators",
                (l.BestExecution ? $"each sale split across every route for best execution ({l.SaleChunks} pieces, each to the route that pays most: marginal prices equal within one piece), one swap per route" : "each sale down the fewest-hop route") +
                (l.PairByProfit ? "; the collateral/debt pair that pays the most, not the largest bonus" : "") +
                (l.FlashLoans ? options.LiquidatorCapitalPerRoundUsd is null
                    ? "; repayments flash-loan funded by the cheapest lender that covers them, else by several nested (cheapest first; each loan beyond the first costs one extra leg's gas), else not made (" +
                        string.Join("; ", snapshot.Books.OfType<Core.Lending.IFlashLender>().Select(f => f.FlashLoanTerms)) +
                        $"; snapshot block {snapshot.Chain.BlockNumber}); a flash loan is repaid in its transaction, so only liquidations move a lender's balance " +
                        "(repaid debt in, seized collateral out); an asset no lender lends is repaid from own funds at no cost"
                    : "; own capital (a capital cap is set), no flash loans" : "") +
                $"; gas {Format.Usd(Format.Usd8ToDouble(options.GasCostUsd))} per call (market default $15 = 500,000 gas × 10 gwei × $3,000/ETH; crash-time gas is higher)" +
                (l.BestExecution ? $" plus {Format.Usd(Format.Usd8ToDouble(l.LegGasCostUsd))} per extra leg of a split sale (default $3 = 100,000 gas); a leg is added only if its extra proceeds beat it" : "") +
                (l.SizeByProfit
                    ? "; each call sized for profit: from the largest the protocol allows (close factor, breaker) down in √2 steps to 1/1024 of it, the liquidator " +
                      "takes the first size whose next smaller one earns no more, so a sale that would saturate the venues becomes a smaller call and the rest " +
                      "waits for a later round, after arbitrage (chunks across rounds; one sized call per position a round, since a second piece would sell into the same un-arbitraged pools); " +
                      "on a mainnet fork a liquidator can also split across blocks within a round and route through aggregators, so pieces may come faster than one a round"
                    : "; one call per position and pair each time it is tried, sized by the protocol's close factor: no chunking into smaller calls " +
                      "(pools are arbitraged between rounds, not between calls, so smaller calls in one round sell into the same pools and pay more gas)")));
        }
        if (options.MarketPrices.OnePrice)
        {
            var m = options.MarketPrices;
            list.Add(new("Market price", "one per asset: after each round's sales the price at which arbitrage between all the asset's pools nets to zero " +
                "(marginal prices; each pool as constant product at its virtual reserves), times the exogenous shocks; every pool is then arbitraged to it and the oracles follow it; " +
                (m.RecoveryHalfLifeRounds is { } h ? $"sales impact recovers with a half-life of {h.ToString(System.Globalization.CultureInfo.InvariantCulture)} rounds" : "no recovery: sales impact is permanent") +
                (m.CorrelationGroups.Count > 0 ? "; moving together under one shock: " + string.Join("; ", m.CorrelationGroups.Select(g => string.Join(", ", g.Select(a => snapshot.FindAsset(a)?.Symbol ?? a)))) : "") +
                "; a seized asset with no venue is refused by name unless the external market states a depth for assets with no venue (noVenue)"));
        }
        else
            list.Add(new("Market price", "first pool (the replay model, --market replay): a shock re-prices the first pool of each asset's route and the asset's price " +
                "is read off that route; its other pools keep their prices until sales move them, and an asset with no route keeps its oracle price"));
        // The protocols' and venues' own assumptions, for the books and pools in this snapshot.
        list.AddRange(parts.Protocols.SelectMany(p => p.Assumptions(snapshot)).Concat(parts.Venues.SelectMany(v => v.Assumptions(snapshot)))
            .Select(a => new Assumption(a.Label, a.Value)));
        return list;
    }
}
