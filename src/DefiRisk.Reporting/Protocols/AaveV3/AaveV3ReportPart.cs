using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Reporting.Protocols.AaveV3;

/// <summary>Aave v3 in the report: pools are labelled by name; changes are read against the baseline's reserves and e-modes.</summary>
public sealed class AaveV3ReportPart : IProtocolReportPart
{
    public string Protocol => AaveV3Book.Name;
    public string DisplayName => "Aave v3";
    public string Colour => "#8e44ad";
    public string LiquidatableWhen => "Aave HF < 1";

    public IReadOnlyList<(string Term, string Meaning)> Glossary { get; } =
    [
        ("LTV, LT (Aave v3)", "loan-to-value: the share of a reserve's value that may be borrowed against; liquidation threshold: the share above which debt makes HF < 1."),
        ("Bonus, protocol fee (Aave v3)", "the liquidator's discount on seized collateral (5 % = collateral worth 105 % of the debt repaid); the protocol fee is the treasury's share of that bonus."),
        ("E-mode (Aave v3)", "a category of correlated assets (e.g. ETH and wstETH) with its own LTV, LT and bonus for accounts that opt in."),
        ("Unbacked (Aave v3)", "debt of an account with no collateral left at the end of the cascade; Aave v3.0–3.2 does not write it off, so it stays on the books as bad debt."),
    ];

    public int MarketCount(Snapshot snapshot) => snapshot.AaveV3Markets().Count;

    public string MarketLabel(Snapshot snapshot, string market) => market;

    /// <summary>
    /// What limits a liquidator who takes the underlying, per pool and release: 3.1+ the reserve's virtual balance, before 3.1
    /// the aToken's balance of it (with the debt paid in only afterwards); neither read (an older snapshot): no limit.
    /// </summary>
    public IEnumerable<(string Label, string Value)> Assumptions(Snapshot snapshot)
    {
        foreach (var st in snapshot.AaveV3Markets())
        {
            var m = st.Market;
            var reserves = m.Reserves;
            var limit = reserves.Any(r => r.RepaymentArrivesFirst)
                ? "each reserve's virtual balance read at the block (3.1+; the debt repaid enters it first, Panic(0x11) beyond it)"
                : reserves.Any(r => r.Cash is not null)
                    ? "each aToken's balance of the underlying read at the block (before 3.1: AToken.burn sends it before the liquidator pays the debt in, so a same-asset call gets no credit for the repayment)"
                    : null;
            yield return ($"Aave v3 {m.Name}: underlying a liquidator can take", limit is null
                ? "not read (an older snapshot): no limit, so a call a drained reserve would refuse on chain counts as made"
                : $"{limit}; it follows every call of the cascade. A liquidator that must sell what it seizes does not take aTokens, so it moves to the account's next collateral or leaves the position");
        }
    }

    public string ShortMarketLabel(Snapshot snapshot, string market) => market;

    public IEnumerable<string> DescribeChange(IProtocolChange change, Snapshot baseline)
    {
        if (change is not AaveV3Changes c) yield break;
        foreach (var rc in c.Reserves)
        {
            var asset = baseline.FindAsset(rc.Asset);
            foreach (var st in baseline.AaveV3Markets())
            {
                var r = asset is null ? null : st.Market.Reserves.FirstOrDefault(x => x.Asset == asset.Address);
                if (r is null) continue;
                var parts = new List<string>();
                if (rc.Ltv is { } ltv) parts.Add($"LTV {Format.Bps(r.Ltv)} → {Format.Bps(ltv)}");
                if (rc.LiquidationThreshold is { } lt) parts.Add($"liquidation threshold {Format.Bps(r.LiquidationThreshold)} → {Format.Bps(lt)}");
                if (rc.LiquidationBonus is { } lb) parts.Add($"liquidation bonus {Format.Bps(r.LiquidationBonus - 10_000)} → {Format.Bps(lb - 10_000)}");
                if (rc.LiquidationProtocolFee is { } fee) parts.Add($"protocol fee {Format.Bps(r.LiquidationProtocolFee)} of the bonus → {Format.Bps(fee)}");
                if (rc.SupplyCap is { } sc) parts.Add($"supply cap {Cap(r.SupplyCap)} → {Cap(sc)}");
                if (rc.BorrowCap is { } bc) parts.Add($"borrow cap {Cap(r.BorrowCap)} → {Cap(bc)}");
                if (parts.Count > 0) yield return $"Aave v3 {st.Market.Name}, {asset!.Symbol}: {string.Join(", ", parts)}";
            }
        }
        foreach (var e in c.EModes)
            foreach (var st in baseline.AaveV3Markets())
            {
                if (st.Market.EMode(e.Category) is not { } cat) continue;
                var parts = new List<string>();
                if (e.Ltv is { } ltv) parts.Add($"LTV {Format.Bps(cat.Ltv)} → {Format.Bps(ltv)}");
                if (e.LiquidationThreshold is { } lt) parts.Add($"liquidation threshold {Format.Bps(cat.LiquidationThreshold)} → {Format.Bps(lt)}");
                if (e.LiquidationBonus is { } lb) parts.Add($"liquidation bonus {Format.Bps(cat.LiquidationBonus - 10_000)} → {Format.Bps(lb - 10_000)}");
                if (parts.Count > 0) yield return $"Aave v3 {st.Market.Name}, e-mode {e.Category} ({cat.Label}): {string.Join(", ", parts)}";
            }
        if (c.CloseFactor is { } cf)
        {
            var parts = new List<string>();
            if (cf.CloseFactor is { } f) parts.Add($"close factor 50% → {Format.Bps(f)}");
            if (cf.FullCloseHealthFactor is { } hf) parts.Add($"100% closable below HF 0.95 → {Format.HealthFactor(hf)}");
            yield return $"Aave v3 (code upgrade): {string.Join(", ", parts)}";
        }
    }

    private static string Cap(BigInteger wholeTokens) => wholeTokens.IsZero ? "none" : ((double)wholeTokens).ToString("#,##0", System.Globalization.CultureInfo.InvariantCulture);
}
