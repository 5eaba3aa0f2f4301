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
