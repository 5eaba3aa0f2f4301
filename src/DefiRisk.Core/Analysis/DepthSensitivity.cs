using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// The headline figures of one cascade with every venue's depth scaled by <see cref="Factor"/> (prices unchanged), and
/// which venue absorbed the sales. Depth decides every headline number: on a mainnet fork the on-chain pools are a lower
/// bound of the liquidity liquidators reach, so a result that holds only at ×1 is a result about the pools.
/// </summary>
public sealed record DepthLevel(decimal Factor, double LiquidatedValueUsd, double BadDebtUsd, double RealisedBadDebtUsd, double UnrealisedBadDebtUsd,
    int Liquidations, int Rounds, IReadOnlyList<VenueSales> SalesByVenue);

/// <summary>
/// Collateral sold into one venue in a cascade, valued at the oracle when seized (debt repaid + bonus, USD); "none" is
/// collateral sold without a pool (the same asset, or at the market price without impact).
/// </summary>
public sealed record VenueSales(string Venue, double SoldUsd, int Sales);

public static class DepthSensitivity
{
    /// <summary>×0.25, ×0.5, ×1, ×2, ×4.</summary>
    public static IReadOnlyList<decimal> DefaultFactors { get; } = [0.25m, 0.5m, 1m, 2m, 4m];

    /// <summary>The exact cascade of <paramref name="scenario"/> at each depth factor (levels are independent: run in parallel, kept in order).</summary>
    public static IReadOnlyList<DepthLevel> Run(Snapshot snapshot, Scenario scenario, SimulationOptions options, IReadOnlyList<decimal>? factors = null)
    {
        factors ??= DefaultFactors;
        if (factors.Count == 0) throw new DefiRiskException("depth sensitivity needs at least one factor");
        foreach (var f in factors)
            if (f <= 0 || f > 1000) throw new DefiRiskException($"depth factor {f} is out of range (0, 1000]");
        return factors.AsParallel().AsOrdered().Select(f =>
        {
            var r = CascadeSimulator.Simulate(snapshot.WithDepth(f), scenario, options);
            return new DepthLevel(f, r.Totals.LiquidatedValueUsd, r.Totals.BadDebtUsd, r.Totals.RealisedBadDebtUsd, r.Totals.UnrealisedBadDebtUsd,
                r.Totals.Liquidations, r.Rounds.Count, SalesByVenue(snapshot, r));
        }).ToList();
    }

    /// <summary>Collateral sold per venue (by the first pool of each sale's path), in venue order, then "none".</summary>
    public static IReadOnlyList<VenueSales> SalesByVenue(Snapshot snapshot, CascadeResult result)
    {
        var venueOf = new Dictionary<Address, string>();
        foreach (var v in snapshot.Venues)
            foreach (var p in v.Pools) venueOf.TryAdd(p.Id, v.Venue);
        var sums = new Dictionary<string, (double Usd, int Count)>();
        foreach (var l in result.Rounds.SelectMany(r => r.Liquidations))
        {
            var venue = l.SalePools.Count > 0 && venueOf.TryGetValue(l.SalePools[0], out var name) ? name : "none";
            var t = sums.GetValueOrDefault(venue);
            sums[venue] = (t.Usd + l.DebtRepaidUsd + l.BonusUsd, t.Count + 1);
        }
        return snapshot.Venues.Select(v => v.Venue).Append("none").Distinct()
            .Where(sums.ContainsKey).Select(v => new VenueSales(v, sums[v].Usd, sums[v].Count)).ToList();
    }
}
