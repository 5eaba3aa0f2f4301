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
    public static IReadOnlyList<string> Describe(Proposal proposal, Snapshot baseline, ReportParts parts)
    {
        var lines = new List<string>();
        foreach (var change in proposal.Changes)
            foreach (var part in parts.Protocols)
                lines.AddRange(part.DescribeChange(change, baseline));

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

    private static string Steps(int n) => n == 1 ? "1 step" : $"{n} steps";
}
