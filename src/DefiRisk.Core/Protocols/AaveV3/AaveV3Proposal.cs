using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// New values for one Aave reserve (null = unchanged), as <c>PoolConfigurator.configureReserveAsCollateral</c>
/// (LTV, LT, bonus in bps; bonus includes the 100 %) and <c>setSupplyCap</c>/<c>setBorrowCap</c> (whole tokens) take them.
/// <see cref="LiquidationGracePeriod"/> (3.1+, seconds): <c>setReservePause(asset, false, gracePeriod)</c> at the snapshot's block,
/// which sets the reserve's <c>liquidationGracePeriodUntil</c> to that block's time + the period; liquidations whose collateral or
/// debt is the reserve revert until it has passed — a circuit breaker per reserve.
/// </summary>
public sealed record AaveV3ReserveChange(string Asset, int? Ltv, int? LiquidationThreshold, int? LiquidationBonus, int? LiquidationProtocolFee, BigInteger? SupplyCap, BigInteger? BorrowCap,
    int? LiquidationGracePeriod = null);

/// <summary>New values for an e-mode category (<c>setEModeCategory</c>), bps.</summary>
public sealed record AaveV3EModeChange(int Category, int? Ltv, int? LiquidationThreshold, int? LiquidationBonus);

/// <summary>
/// Aave's hard-coded close factor (<c>DEFAULT_LIQUIDATION_CLOSE_FACTOR</c>, bps) and the HF (wad) at or below
/// which 100 % may be closed (<c>CLOSE_FACTOR_HF_THRESHOLD</c>) — a code upgrade, not a configurator call.
/// </summary>
public sealed record AaveV3CloseFactorChange(int? CloseFactor, BigInteger? FullCloseHealthFactor);

/// <summary>
/// A proposal's Aave v3 changes (bps, as the configurator stores them): reserves, e-mode categories, and the close
/// factor (a code upgrade: it replaces the book's liquidation-rule constants). Each reserve change applies in every
/// indexed pool that lists the asset.
/// </summary>
public sealed record AaveV3Changes(IReadOnlyList<AaveV3ReserveChange> Reserves, IReadOnlyList<AaveV3EModeChange> EModes, AaveV3CloseFactorChange? CloseFactor) : IProtocolChange
{
    public string Protocol => AaveV3Book.Name;

    public bool ChangesAnything(Snapshot baseline)
    {
        if (CloseFactor is not null) return true;
        var before = baseline.AaveV3Markets();
        var after = Apply(baseline).AaveV3Markets();
        return !before.Zip(after).All(m =>
            m.First.Market.Reserves.SequenceEqual(m.Second.Market.Reserves) && m.First.Market.EModeCategories.SequenceEqual(m.Second.Market.EModeCategories));
    }

    public Snapshot Apply(Snapshot snapshot)
    {
        var book = snapshot.Book<AaveV3Book>();
        if (book is null) return snapshot;
        var rule = book.LiquidationRule;
        if (CloseFactor is { } cf)
            rule = new AaveV3LiquidationRule(cf.CloseFactor ?? rule.CloseFactor, cf.FullCloseHealthFactor ?? rule.FullCloseHealthFactor);
        return snapshot.WithBook(new AaveV3Book(book.Markets.Select(m => ApplyTo(snapshot, m, this)).ToList(), CloseFactor is null ? book.Rule : rule));
    }

    private static AaveV3MarketState ApplyTo(Snapshot snapshot, AaveV3MarketState state, AaveV3Changes changes)
    {
        var reserves = state.Market.Reserves.Select(r =>
        {
            var change = changes.Reserves.FirstOrDefault(c => snapshot.FindAsset(c.Asset)?.Address == r.Asset);
            return change is null ? r : r with
            {
                Ltv = change.Ltv ?? r.Ltv,
                LiquidationThreshold = change.LiquidationThreshold ?? r.LiquidationThreshold,
                LiquidationBonus = change.LiquidationBonus ?? r.LiquidationBonus,
                LiquidationProtocolFee = change.LiquidationProtocolFee ?? r.LiquidationProtocolFee,
                SupplyCap = change.SupplyCap ?? r.SupplyCap,
                BorrowCap = change.BorrowCap ?? r.BorrowCap,
                LiquidationGracePeriodUntil = change.LiquidationGracePeriod is { } g ? snapshot.Chain.BlockTimestamp + g : r.LiquidationGracePeriodUntil,
            };
        }).ToList();
        var emodes = state.Market.EModeCategories.Select(e =>
        {
            var change = changes.EModes.FirstOrDefault(c => c.Category == e.Id);
            return change is null ? e : e with
            {
                Ltv = change.Ltv ?? e.Ltv,
                LiquidationThreshold = change.LiquidationThreshold ?? e.LiquidationThreshold,
                LiquidationBonus = change.LiquidationBonus ?? e.LiquidationBonus,
            };
        }).ToList();
        return state with { Market = state.Market with { Reserves = reserves, EModeCategories = emodes } };
    }
}

/// <summary>
/// The <c>"aave-v3"</c> section of a proposal file: <c>reserves</c> (by symbol or address), <c>emode</c> (by category id),
/// <c>closeFactor</c> and <c>fullCloseHealthFactor</c>, checked as <c>PoolConfigurator</c> checks them.
/// </summary>
public sealed class AaveV3ProposalSection : IProposalSection
{
    /// <summary><c>PoolConfigurator.MAX_GRACE_PERIOD</c> = 4 hours, in seconds.</summary>
    public const int MaxGracePeriod = 4 * 60 * 60;

    public string Key => AaveV3Book.Name;

    public IProtocolChange Read(JsonElement aave, string p, ProposalReader r)
    {
        r.Keys(aave, p, "reserves", "emode", "closeFactor", "fullCloseHealthFactor");
        var reserves = new List<AaveV3ReserveChange>();
        var emodes = new List<AaveV3EModeChange>();
        if (aave.TryGetProperty("reserves", out var rs))
        {
            r.Expect(rs, p + ".reserves", JsonValueKind.Object);
            foreach (var kv in rs.EnumerateObject()) reserves.Add(ReadReserve(r, kv.Name, kv.Value, $"{p}.reserves.{kv.Name}"));
        }
        if (aave.TryGetProperty("emode", out var es))
        {
            r.Expect(es, p + ".emode", JsonValueKind.Object);
            foreach (var kv in es.EnumerateObject()) emodes.Add(ReadEMode(r, kv.Name, kv.Value, $"{p}.emode.{kv.Name}", reserves));
        }
        int? cf = aave.TryGetProperty("closeFactor", out var cfe) ? r.Bps(cfe, p + ".closeFactor", 1, 10_000) : null;
        BigInteger? fullClose = aave.TryGetProperty("fullCloseHealthFactor", out var fce) ? r.Wad(fce, p + ".fullCloseHealthFactor", 0m, 1m) : null;
        var closeFactor = cf is not null || fullClose is not null ? new AaveV3CloseFactorChange(cf, fullClose) : null;
        return new AaveV3Changes(reserves, emodes, closeFactor);
    }

    private static AaveV3ReserveChange ReadReserve(ProposalReader r, string assetKey, JsonElement e, string p)
    {
        r.Expect(e, p, JsonValueKind.Object);
        r.Keys(e, p, "ltv", "liquidationThreshold", "liquidationBonus", "liquidationProtocolFee", "supplyCap", "borrowCap", "liquidationGracePeriod");
        var asset = r.Snapshot.FindAsset(assetKey) ?? throw r.Error(p, $"no asset '{assetKey}' in the snapshot");
        // The change applies to the asset's reserve in every indexed pool (Core and Prime may both list it): check each.
        var reserves = r.Snapshot.AaveV3Markets().SelectMany(m => m.Market.Reserves).Where(r => r.Asset == asset.Address).ToList();
        if (reserves.Count == 0) throw r.Error(p, $"'{assetKey}' is not an Aave v3 reserve in the snapshot");
        int? ltv = ProposalReader.Opt(e, "ltv", v => r.Bps(v, p + ".ltv", 0, 10_000));
        int? lt = ProposalReader.Opt(e, "liquidationThreshold", v => r.Bps(v, p + ".liquidationThreshold", 0, 10_000));
        // The bonus is written as the premium ("5%") and stored as Aave stores it (10500).
        int? lb = ProposalReader.Opt(e, "liquidationBonus", v => 10_000 + r.Bps(v, p + ".liquidationBonus", 0, 10_000));
        int? fee = ProposalReader.Opt(e, "liquidationProtocolFee", v => r.Bps(v, p + ".liquidationProtocolFee", 0, 10_000));
        BigInteger? supplyCap = ProposalReader.Opt(e, "supplyCap", v => r.WholeTokens(v, p + ".supplyCap"));
        BigInteger? borrowCap = ProposalReader.Opt(e, "borrowCap", v => r.WholeTokens(v, p + ".borrowCap"));
        // PoolConfigurator.setReservePause: require(gracePeriod <= MAX_GRACE_PERIOD) (4 hours); the grace period exists from 3.1.
        int? grace = e.TryGetProperty("liquidationGracePeriod", out _) ? r.Int(e, "liquidationGracePeriod", p, 0, MaxGracePeriod) : null;
        if (grace is not null && r.Snapshot.AaveV3Markets().Any(m => m.Market.PoolRevision < AaveV3Revision.V3_1 && m.Market.Reserves.Any(x => x.Asset == asset.Address)))
            throw r.Error(p + ".liquidationGracePeriod", "a pool listing it runs Aave before 3.1, which has no liquidation grace period");

        var zeroBonus = false;
        foreach (var reserve in reserves)
        {
            // PoolConfigurator.configureReserveAsCollateral's own checks, on the values after the change.
            var newLtv = ltv ?? reserve.Ltv;
            var newLt = lt ?? reserve.LiquidationThreshold;
            var newLb = lb ?? reserve.LiquidationBonus;
            if (newLt < newLtv) throw r.Error(p + ".liquidationThreshold", $"liquidation threshold {newLt / 100m}% is below the LTV {newLtv / 100m}%");
            if (newLt != 0)
            {
                if (newLb <= FixedPoint.PercentageFactor)
                    throw r.Error(p + ".liquidationBonus", "must be above 0% while the liquidation threshold is not 0 (configureReserveAsCollateral requires bonus > 100.00%)");
                if (FixedPoint.PercentMul(newLt, newLb) > FixedPoint.PercentageFactor)
                    throw r.Error(p + ".liquidationBonus", $"threshold × (1 + bonus) = {FixedPoint.PercentMul(newLt, newLb)} bps exceeds 100%: liquidating would seize more than the collateral");
            }
            else
            {
                // LT 0 disables the reserve as collateral: the configurator wants bonus 0 and no aToken holders (_checkNoSuppliers).
                if (lb is not null) throw r.Error(p + ".liquidationBonus", "must be 0 when the liquidation threshold is 0% (configureReserveAsCollateral): leave it out");
                var suppliers = r.Snapshot.AaveV3Markets().SelectMany(m => m.Accounts)
                    .Count(a => a.Reserves.Any(x => x.Asset == asset.Address && !x.Collateral.IsZero));
                if (suppliers > 0)
                    throw r.Error(p + ".liquidationThreshold", $"0% needs a reserve without suppliers (configureReserveAsCollateral's _checkNoSuppliers); {suppliers} account(s) in the snapshot supply {asset.Symbol}");
                if (newLb != 0) zeroBonus = true;
            }
        }
        if (zeroBonus) lb = 0;
        return new AaveV3ReserveChange(asset.Symbol, ltv, lt, lb, fee, supplyCap, borrowCap, grace);
    }

    private static AaveV3EModeChange ReadEMode(ProposalReader r, string key, JsonElement e, string p, IReadOnlyList<AaveV3ReserveChange> reserveChanges)
    {
        if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > 255)
            throw r.Error(p, "an e-mode category is a number from 1 to 255");
        var existing = r.Snapshot.AaveV3Markets().Select(m => m.Market.EMode(id)).FirstOrDefault(c => c is not null)
                       ?? throw r.Error(p, $"e-mode category {id} does not exist in the snapshot");
        r.Expect(e, p, JsonValueKind.Object);
        r.Keys(e, p, "ltv", "liquidationThreshold", "liquidationBonus");
        int? ltv = ProposalReader.Opt(e, "ltv", v => r.Bps(v, p + ".ltv", 0, 10_000));
        int? lt = ProposalReader.Opt(e, "liquidationThreshold", v => r.Bps(v, p + ".liquidationThreshold", 0, 10_000));
        int? lb = ProposalReader.Opt(e, "liquidationBonus", v => 10_000 + r.Bps(v, p + ".liquidationBonus", 0, 10_000));
        // PoolConfigurator.setEModeCategory's checks, on the values after the change.
        var newLtv = ltv ?? existing.Ltv;
        var newLt = lt ?? existing.LiquidationThreshold;
        var newLb = lb ?? existing.LiquidationBonus;
        if (newLtv == 0) throw r.Error(p + ".ltv", "must not be 0% (setEModeCategory)");
        if (newLt == 0) throw r.Error(p + ".liquidationThreshold", "must not be 0% (setEModeCategory)");
        if (newLt < newLtv) throw r.Error(p + ".liquidationThreshold", $"liquidation threshold {newLt / 100m}% is below the LTV {newLtv / 100m}%");
        if (newLb <= FixedPoint.PercentageFactor) throw r.Error(p + ".liquidationBonus", "must be above 0% (setEModeCategory requires bonus > 100.00%)");
        if (FixedPoint.PercentMul(newLt, newLb) > FixedPoint.PercentageFactor)
            throw r.Error(p + ".liquidationBonus", "threshold × (1 + bonus) exceeds 100%");
        // ≤ v3.1 also: above the LTV and threshold of every reserve in the category (as the proposal leaves them).
        foreach (var m in r.Snapshot.AaveV3Markets().Select(s => s.Market).Where(m => m.PoolRevision < AaveV3Revision.V3_2))
        {
            var category = m.EMode(id);
            if (category is null) continue;
            foreach (var res in m.Reserves.Where(x => category.Contains(x.Asset)))
            {
                var symbol = r.Snapshot.FindAsset(res.Asset)?.Symbol ?? res.Asset.ToString();
                var change = reserveChanges.FirstOrDefault(c => r.Snapshot.FindAsset(c.Asset)?.Address == res.Asset);
                var reserveLtv = change?.Ltv ?? res.Ltv;
                var reserveLt = change?.LiquidationThreshold ?? res.LiquidationThreshold;
                if (newLtv <= reserveLtv) throw r.Error(p + ".ltv", $"{newLtv / 100m}% must be above the LTV {reserveLtv / 100m}% of {symbol} (setEModeCategory, v3.0/3.1)");
                if (newLt <= reserveLt) throw r.Error(p + ".liquidationThreshold", $"{newLt / 100m}% must be above the threshold {reserveLt / 100m}% of {symbol} (setEModeCategory, v3.0/3.1)");
            }
        }
        return new AaveV3EModeChange(id, ltv, lt, lb);
    }
}
