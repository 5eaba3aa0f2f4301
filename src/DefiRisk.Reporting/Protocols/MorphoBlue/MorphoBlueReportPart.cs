using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Reporting.Protocols.MorphoBlue;

/// <summary>Morpho Blue in the report: markets labelled "collateral/loan LLTV (id)"; migrations described against the baseline market.</summary>
public sealed class MorphoBlueReportPart : IProtocolReportPart
{
    public string Protocol => MorphoBlueBook.Name;
    public string DisplayName => "Morpho Blue";
    public string Colour => "#1f6feb";
    public string LiquidatableWhen => "Morpho not healthy";

    public IReadOnlyList<(string Term, string Meaning)> Glossary { get; } =
    [
        ("LLTV (Morpho Blue)", "liquidation loan-to-value, fixed per market: a position is liquidatable when its debt exceeds collateral value × LLTV."),
        ("LIF (Morpho Blue)", "liquidation incentive factor, derived from the LLTV: min(1.15, 1 / (1 − 0.3 × (1 − LLTV))); the liquidator seizes debt repaid × LIF of collateral."),
        ("Written off (Morpho Blue)", "debt left when a position's collateral is gone, taken from the market's suppliers at once."),
    ];

    /// <summary>
    /// What the Morpho oracle model takes as given: feeds no asset follows hold, vault conversion rates hold, and oracles of
    /// unknown kind keep their snapshot ratio to the two tokens' USD prices (each listed by market, at most ten named).
    /// </summary>
    public IEnumerable<(string Label, string Value)> Assumptions(Snapshot snapshot)
    {
        var markets = snapshot.MorphoBlue().SelectMany(st => st.Markets).ToList();
        if (markets.Count == 0) yield break;
        var composed = markets.Select(m => (Market: m, Parts: MorphoBlueOracle.Composed(m))).Where(t => t.Parts is not null).ToList();
        var held = composed.SelectMany(t => t.Parts!.HeldFeeds.Select(f => $"{f.Feed} in {Label(snapshot, t.Market)}")).ToList();
        if (held.Count > 0)
            yield return ("Morpho oracle feeds that hold",
                $"{Named(held)}: no asset follows them (neither an Aave price source, nor its aggregator, nor in the deployments' feedAssets), so a shock " +
                "leaves them at their snapshot answer; on a mainnet fork such a feed (e.g. an exchange-rate or BTC-peg feed) would move on its own");
        var vaults = composed.Where(t => !t.Parts!.BaseVault.IsZero || !t.Parts.QuoteVault.IsZero).Select(t => Label(snapshot, t.Market)).ToList();
        if (vaults.Count > 0)
            yield return ("Morpho oracle vault rates", $"{Named(vaults)}: the ERC-4626 conversion rate read at the snapshot holds through the cascade");
        var unknown = markets.Where(m => MorphoBlueOracle.Composed(m) is null).Select(m => $"{Label(snapshot, m)} oracle {m.Oracle}").ToList();
        if (unknown.Count > 0)
            yield return ("Morpho oracles of unknown kind",
                $"{Named(unknown)}: not a Chainlink-feed composition DefiRisk reads, so price() keeps its snapshot ratio to the collateral's and " +
                "loan token's USD oracle prices; on a mainnet fork the real oracle may follow other sources");

        static string Named(IReadOnlyList<string> items) =>
            string.Join("; ", items.Take(10)) + (items.Count > 10 ? $"; and {items.Count - 10} more" : "");
    }

    public int MarketCount(Snapshot snapshot) => snapshot.MorphoBlue().Sum(m => m.Markets.Count);

    /// <summary>"wstETH/WETH 94.5% (0x0000ab…abc0)": collateral/loan, LLTV, short id.</summary>
    public static string Label(Snapshot s, MorphoBlueMarket m) =>
        $"{s.FindAsset(m.CollateralToken)?.Symbol ?? m.CollateralToken.ToString()}/{s.FindAsset(m.LoanToken)?.Symbol ?? m.LoanToken.ToString()} " +
        $"{Format.WadPercent(m.Lltv)} ({Format.ShortHex(m.Id)})";

    public string MarketLabel(Snapshot snapshot, string market) => Find(snapshot, market) is { } m ? Label(snapshot, m) : market;

    /// <summary>"wstETH/WETH 94.5%" without the id: for diagram boxes (the full label is in their tooltip).</summary>
    public string ShortMarketLabel(Snapshot s, string market) =>
        Find(s, market) is { } m
            ? $"{s.FindAsset(m.CollateralToken)?.Symbol ?? Format.ShortHex(m.CollateralToken.ToString())}/{s.FindAsset(m.LoanToken)?.Symbol ?? Format.ShortHex(m.LoanToken.ToString())} {Format.WadPercent(m.Lltv)}"
            : market;

    private static MorphoBlueMarket? Find(Snapshot s, string id)
    {
        foreach (var st in s.MorphoBlue())
            foreach (var m in st.Markets)
                if (m.Id == id) return m;
        return null;
    }

    public IEnumerable<string> DescribeChange(IProtocolChange change, Snapshot baseline)
    {
        if (change is not MorphoBlueChanges c) yield break;
        foreach (var m in c.Migrations)
        {
            var market = Find(baseline, m.Market);
            var label = market is null ? Format.ShortHex(m.Market) : Label(baseline, market);
            yield return $"Morpho Blue {label}: {Format.WadPercent(m.Share)} of borrowers move to a market with LLTV {Format.WadPercent(m.NewLltv)}";
        }
    }
}
