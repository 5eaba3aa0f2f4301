using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// Produces the proposal's world: the baseline snapshot with the proposed risk parameters in place.
/// Aave changes rewrite reserves and e-mode categories (as <c>configureReserveAsCollateral</c> /
/// <c>setEModeCategory</c> would); a Morpho migration moves a share of a market's borrowers, with their
/// shares, collateral and the market's share price, into a new market of the same pair with the new LLTV
/// (Morpho LLTVs are immutable, so that is the only way such a change happens).
/// </summary>
public static class ProposalApplier
{
    public static Snapshot Apply(Snapshot baseline, Proposal proposal)
    {
        if (!proposal.ChangesRiskParameters) return baseline;
        var aave = baseline.AaveV3Markets.Select(m => ApplyAave(baseline, m, proposal)).ToList();
        var morpho = baseline.MorphoBlue.Select(m => ApplyMorpho(m, proposal)).ToList();
        return baseline with { AaveV3Markets = aave, MorphoBlue = morpho };
    }

    private static AaveV3MarketState ApplyAave(Snapshot snapshot, AaveV3MarketState state, Proposal proposal)
    {
        var reserves = state.Market.Reserves.Select(r =>
        {
            var change = proposal.AaveV3Reserves.FirstOrDefault(c => snapshot.FindAsset(c.Asset)?.Address == r.Asset);
            return change is null ? r : r with
            {
                Ltv = change.Ltv ?? r.Ltv,
                LiquidationThreshold = change.LiquidationThreshold ?? r.LiquidationThreshold,
                LiquidationBonus = change.LiquidationBonus ?? r.LiquidationBonus,
                LiquidationProtocolFee = change.LiquidationProtocolFee ?? r.LiquidationProtocolFee,
                SupplyCap = change.SupplyCap ?? r.SupplyCap,
                BorrowCap = change.BorrowCap ?? r.BorrowCap,
            };
        }).ToList();
        var emodes = state.Market.EModeCategories.Select(e =>
        {
            var change = proposal.AaveV3EModes.FirstOrDefault(c => c.Category == e.Id);
            return change is null ? e : e with
            {
                Ltv = change.Ltv ?? e.Ltv,
                LiquidationThreshold = change.LiquidationThreshold ?? e.LiquidationThreshold,
                LiquidationBonus = change.LiquidationBonus ?? e.LiquidationBonus,
            };
        }).ToList();
        return state with { Market = state.Market with { Reserves = reserves, EModeCategories = emodes } };
    }

    private static MorphoBlueState ApplyMorpho(MorphoBlueState state, Proposal proposal)
    {
        if (proposal.MorphoBlueMigrations.Count == 0) return state;
        var markets = state.Markets.ToList();
        var positions = state.Positions.ToList();
        foreach (var migration in proposal.MorphoBlueMigrations)
        {
            var source = markets.FirstOrDefault(m => m.Id == migration.Market);
            if (source is null) continue;
            var borrowers = positions.Where(p => p.MarketId == source.Id && !p.BorrowShares.IsZero).OrderBy(p => p.Account).ToList();
            var moving = (int)(borrowers.Count * migration.Share / Numerics.FixedPoint.Wad);
            if (moving == 0) continue;
            var moved = borrowers.Take(moving).ToList();
            var targetId = $"{source.Id}@lltv={Numerics.FixedPoint.FormatFixed(migration.NewLltv, 18)}";

            // Carry the share price over: the moved shares keep the assets they stood for.
            BigInteger movedShares = 0, movedAssets = 0;
            foreach (var p in moved)
            {
                movedShares += p.BorrowShares;
                movedAssets += MorphoBlueMath.BorrowedAssets(source, p.BorrowShares);
            }
            var target = source with
            {
                Id = targetId,
                Lltv = migration.NewLltv,
                TotalBorrowShares = movedShares,
                TotalBorrowAssets = movedAssets,
                TotalSupplyAssets = movedAssets,
                TotalSupplyShares = movedShares,
            };
            var remaining = source with
            {
                TotalBorrowShares = source.TotalBorrowShares - movedShares,
                TotalBorrowAssets = BigInteger.Max(0, source.TotalBorrowAssets - movedAssets),
                TotalSupplyAssets = BigInteger.Max(0, source.TotalSupplyAssets - movedAssets),
            };
            markets[markets.IndexOf(source)] = remaining;
            markets.Add(target);
            var movedSet = moved.ToHashSet();
            positions = positions.Select(p => movedSet.Contains(p) ? p with { MarketId = targetId } : p).ToList();
        }
        return state with { Markets = markets, Positions = positions };
    }
}
