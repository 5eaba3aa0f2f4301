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

    public int MarketCount(Snapshot snapshot) => snapshot.AaveV3Markets().Count;

    public string MarketLabel(Snapshot snapshot, string market) => market;

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
