using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Reporting;

/// <summary>
/// A proposal as the lines a reviewer reads in the comparison section (<see cref="ComparisonReport.ProposalLines"/>):
/// each parameter change with its baseline value ("WETH liquidation threshold 82.5% → 80%"), then each breaker.
/// Plain text with on-chain symbols inside: the writers escape the whole line.
/// </summary>
public static class ProposalLines
{
    public static IReadOnlyList<string> Describe(Proposal proposal, Snapshot baseline)
    {
        var lines = new List<string>();
        foreach (var c in proposal.AaveV3Reserves)
        {
            var asset = baseline.FindAsset(c.Asset);
            foreach (var st in baseline.AaveV3Markets)
            {
                var r = asset is null ? null : st.Market.Reserves.FirstOrDefault(x => x.Asset == asset.Address);
                if (r is null) continue;
                var parts = new List<string>();
                if (c.Ltv is { } ltv) parts.Add($"LTV {Format.Bps(r.Ltv)} → {Format.Bps(ltv)}");
                if (c.LiquidationThreshold is { } lt) parts.Add($"liquidation threshold {Format.Bps(r.LiquidationThreshold)} → {Format.Bps(lt)}");
                if (c.LiquidationBonus is { } lb) parts.Add($"liquidation bonus {Format.Bps(r.LiquidationBonus - 10_000)} → {Format.Bps(lb - 10_000)}");
                if (c.LiquidationProtocolFee is { } fee) parts.Add($"protocol fee {Format.Bps(r.LiquidationProtocolFee)} of the bonus → {Format.Bps(fee)}");
                if (c.SupplyCap is { } sc) parts.Add($"supply cap {Cap(r.SupplyCap)} → {Cap(sc)}");
                if (c.BorrowCap is { } bc) parts.Add($"borrow cap {Cap(r.BorrowCap)} → {Cap(bc)}");
                if (parts.Count > 0) lines.Add($"Aave v3 {st.Market.Name}, {asset!.Symbol}: {string.Join(", ", parts)}");
            }
        }
        foreach (var e in proposal.AaveV3EModes)
            foreach (var st in baseline.AaveV3Markets)
            {
                if (st.Market.EMode(e.Category) is not { } cat) continue;
                var parts = new List<string>();
                if (e.Ltv is { } ltv) parts.Add($"LTV {Format.Bps(cat.Ltv)} → {Format.Bps(ltv)}");
                if (e.LiquidationThreshold is { } lt) parts.Add($"liquidation threshold {Format.Bps(cat.LiquidationThreshold)} → {Format.Bps(lt)}");
                if (e.LiquidationBonus is { } lb) parts.Add($"liquidation bonus {Format.Bps(cat.LiquidationBonus - 10_000)} → {Format.Bps(lb - 10_000)}");
                if (parts.Count > 0) lines.Add($"Aave v3 {st.Market.Name}, e-mode {e.Category} ({cat.Label}): {string.Join(", ", parts)}");
            }
        if (proposal.AaveV3CloseFactor is { } cf)
        {
            var parts = new List<string>();
            if (cf.CloseFactor is { } f) parts.Add($"close factor 50% → {Format.Bps(f)}");
            if (cf.FullCloseHealthFactor is { } hf) parts.Add($"100% closable below HF 0.95 → {Format.HealthFactor(hf)}");
            lines.Add($"Aave v3 (code upgrade): {string.Join(", ", parts)}");
        }
        foreach (var m in proposal.MorphoBlueMigrations)
        {
            var market = baseline.MorphoBlue.SelectMany(s => s.Markets).FirstOrDefault(x => x.Id == m.Market);
            var label = market is null ? Format.ShortHex(m.Market) : MarketLabels.Morpho(baseline, market);
            lines.Add($"Morpho Blue {label}: {Format.WadPercent(m.Share)} of borrowers move to a market with LLTV {Format.WadPercent(m.NewLltv)}");
        }

        var b = proposal.Breakers;
        foreach (var cap in b.Caps)
        {
            var scope = cap.Scope switch
            {
                CapScope.Global => "all protocols together",
                CapScope.Protocol => cap.Key ?? "one protocol",
                _ => $"collateral {cap.Key}",
            };
            lines.Add($"Breaker: liquidation cap {Format.Usd(Format.Usd8ToDouble(cap.MaxValueUsd))} of debt repaid per {Steps(cap.WindowSteps)}, {scope}");
        }
        if (b.OracleDelay is { } d)
            lines.Add($"Breaker: oracle delay of {Steps(d.Steps)} for {(d.Assets.Count == 0 ? "every asset" : string.Join(", ", d.Assets))}");
        if (b.Pause is { } p)
            lines.Add($"Breaker: liquidations pause for {Steps(p.PauseSteps)} when an oracle moves more than {Format.Bps(p.ThresholdBps)} within {Steps(p.WindowSteps)}" +
                (p.GraceSteps > 0 ? $"; then a grace period of {Steps(p.GraceSteps)} in which only HF < {Format.HealthFactor(p.GraceHealthFactor)} is liquidated" : ""));
        if (b.MinLiquidationUsd is { } min)
            lines.Add($"Breaker: no liquidation below {Format.Usd(Format.Usd8ToDouble(min))} of debt repaid");
        return lines;
    }

    private static string Cap(BigInteger wholeTokens) => wholeTokens.IsZero ? "none" : ((double)wholeTokens).ToString("#,##0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Steps(int n) => n == 1 ? "1 step" : $"{n} steps";
}
