using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// "Liquidated at today's prices by this change": the positions a parameter change alone makes liquidatable, with no
/// price move — liquidatable in the proposal's world (<see cref="PositionHealth.Liquidatable"/>: HF &lt; 1, or the
/// protocol's equivalent) and not in the baseline, both at the snapshot's oracle prices. One implementation for the
/// compare report (issue 15) and the payload review (issue 14). Values: USD 8 decimals, exact, each protocol's valuation
/// in the proposal's world; <see cref="HealthFactorBefore"/>/<see cref="HealthFactorAfter"/>: wad.
/// <see cref="LiquidatableFrom"/>: the first block time (unix seconds) at which a liquidator can act on it, after every grace
/// period on its collateral and debt (set by the change or already on chain); the proposal's block time when none holds it back.
/// <see cref="LiquidatableInSeconds"/>: the same, in seconds after that block time (0 = at once; for a payload, its block).
/// <see cref="FirstCall"/>: what a liquidator would seize — the first liquidation call at <see cref="LiquidatableFrom"/> under the
/// proposal's rule, at the snapshot's prices and balances (<see cref="ILendingBook.FirstCall"/>); null when no call executes, with
/// the rule's reason in <see cref="FirstCallRefused"/>.
/// </summary>
public sealed record LiquidatedPosition(
    string Protocol,
    string Market,
    Address Account,
    BigInteger? HealthFactorBefore,
    BigInteger? HealthFactorAfter,
    BigInteger DebtUsd8,
    BigInteger CollateralUsd8,
    double DebtUsd,
    double CollateralUsd,
    long LiquidatableFrom = 0,
    long LiquidatableInSeconds = 0,
    FirstLiquidationCall? FirstCall = null,
    string? FirstCallRefused = null);

/// <summary>
/// The positions and their totals (USD as doubles are report views of the exact 8-decimal sums). <see cref="FirstCallsDebtRepaidUsd8"/>,
/// <see cref="FirstCallsCollateralSeizedUsd8"/>: the sums over the positions' first calls (<see cref="LiquidatedPosition.FirstCall"/>).
/// </summary>
public sealed record LiquidatedByChangeResult(
    IReadOnlyList<LiquidatedPosition> Positions,
    BigInteger DebtUsd8,
    BigInteger CollateralUsd8,
    double DebtUsd,
    double CollateralUsd,
    BigInteger FirstCallsDebtRepaidUsd8 = default,
    BigInteger FirstCallsCollateralSeizedUsd8 = default)
{
    public double FirstCallsDebtRepaidUsd => (double)FirstCallsDebtRepaidUsd8 / 1e8;

    public double FirstCallsCollateralSeizedUsd => (double)FirstCallsCollateralSeizedUsd8 / 1e8;

    public int Count => Positions.Count;

    public static LiquidatedByChangeResult Empty { get; } = new([], 0, 0, 0, 0);
}

public static class LiquidatedByChange
{
    /// <summary>
    /// Positions liquidatable in <paramref name="proposal"/> but not in <paramref name="baseline"/>, at each snapshot's
    /// own prices (the proposal's world keeps the baseline's). A position is matched by protocol, market and account; one
    /// the proposal moved to another market (a migration) is matched by protocol and account to the baseline position it
    /// came from. Largest collateral first. Each carries its first call at its <see cref="LiquidatedPosition.LiquidatableFrom"/>,
    /// asked of the proposal's book.
    /// </summary>
    public static LiquidatedByChangeResult Compute(Snapshot baseline, Snapshot proposal)
    {
        var before = Health(baseline);
        var byKey = new Dictionary<(string, string, Address), PositionHealth>();
        foreach (var (protocol, p, _) in before) byKey.TryAdd((protocol, p.Market, p.Account), p);
        var assets = new AssetIndex(proposal);
        var after = Health(proposal, assets);
        var afterKeys = after.Select(x => (x.Protocol, x.Health.Market, x.Health.Account)).ToHashSet();
        // Baseline positions with no same-market counterpart: where migrated positions came from.
        var moved = before.Where(x => !afterKeys.Contains((x.Protocol, x.Health.Market, x.Health.Account)))
            .GroupBy(x => (x.Protocol, x.Health.Account)).ToDictionary(g => g.Key, g => new Queue<PositionHealth>(g.Select(x => x.Health)));

        var now = proposal.Chain.BlockTimestamp;
        var list = new List<LiquidatedPosition>();
        foreach (var (protocol, p, book) in after)
        {
            if (!p.Liquidatable) continue;
            if (!byKey.TryGetValue((protocol, p.Market, p.Account), out var was))
                was = moved.TryGetValue((protocol, p.Account), out var q) && q.Count > 0 ? q.Dequeue() : null;
            if (was is { Liquidatable: true }) continue;
            var from = p.LiquidatableFrom is { } f && f > now ? f : now;
            var call = book.FirstCall(assets, p, from, out var refused);
            list.Add(new LiquidatedPosition(protocol, p.Market, p.Account, was?.HealthFactor, p.HealthFactor, p.DebtUsd8, p.CollateralUsd8, p.DebtUsd, p.CollateralUsd,
                from, from - now, call, refused));
        }
        list.Sort((x, y) => y.CollateralUsd8.CompareTo(x.CollateralUsd8));
        BigInteger debt = 0, collateral = 0, repaid = 0, seized = 0;
        foreach (var p in list)
        {
            debt += p.DebtUsd8;
            collateral += p.CollateralUsd8;
            repaid += p.FirstCall?.DebtRepaidUsd8 ?? 0;
            seized += p.FirstCall?.CollateralSeizedUsd8 ?? 0;
        }
        return new LiquidatedByChangeResult(list, debt, collateral, list.Sum(p => p.DebtUsd), list.Sum(p => p.CollateralUsd), repaid, seized);
    }

    private static List<(string Protocol, PositionHealth Health, ILendingBook Book)> Health(Snapshot snapshot, AssetIndex? assets = null)
    {
        assets ??= new AssetIndex(snapshot);
        return snapshot.Books.OfType<ILendingBook>().SelectMany(b => b.Positions(assets).Select(p => (b.Protocol, p, b))).ToList();
    }
}
