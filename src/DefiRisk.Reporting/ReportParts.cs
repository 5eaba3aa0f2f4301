using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Reporting.Document;

/// <summary>
/// What the report asks of one lending-protocol family: its display name and colour, readable market labels, the rule
/// by which its positions count as liquidatable, and the lines that describe its proposal changes. A family implements
/// it in <c>Reporting/Protocols/&lt;Family&gt;/</c>; the report writers name no protocol.
/// </summary>
public interface IProtocolReportPart
{
    /// <summary>The family's name as results spell it (<see cref="IProtocolBook.Protocol"/>).</summary>
    string Protocol { get; }

    /// <summary>"Aave v3" — for prose.</summary>
    string DisplayName { get; }

    /// <summary>Its colour in the chain diagram (#rrggbb).</summary>
    string Colour { get; }

    /// <summary>When a position counts as liquidatable, in a few words ("HF &lt; 1").</summary>
    string LiquidatableWhen { get; }

    int MarketCount(Snapshot snapshot);

    /// <summary>A readable label of a market named in a result (unescaped: symbols come from the chain).</summary>
    string MarketLabel(Snapshot snapshot, string market);

    /// <summary>A short label, for diagram boxes.</summary>
    string ShortMarketLabel(Snapshot snapshot, string market);

    /// <summary>Lines describing a change of this family ("… liquidation threshold 82.5% → 80%"); none for other families' changes.</summary>
    IEnumerable<string> DescribeChange(IProtocolChange change, Snapshot baseline);

    /// <summary>The family's own terms for the report's glossary (its parameter names, its kinds of bad debt).</summary>
    IReadOnlyList<(string Term, string Meaning)> Glossary { get; }

    /// <summary>
    /// The family's modelling assumptions behind this snapshot's numbers (none by default), for the report's assumptions, as
    /// label/value pairs (as the venues' parts give them, so the document layer does not depend on the report's types).
    /// </summary>
    IEnumerable<(string Label, string Value)> Assumptions(Snapshot snapshot) => [];
}

/// <summary>What the report asks of one liquidity venue: how to name its pools, and its liquidity table.</summary>
public interface IVenueReportPart
{
    string Venue { get; }

    int PoolCount(Snapshot snapshot);

    /// <summary>"Uniswap v2 pairs" — what its pools are called in prose.</summary>
    string PoolsName { get; }

    /// <summary>Its pools with their depth, or null when the snapshot has none.</summary>
    Table? LiquidityTable(Snapshot snapshot);

    /// <summary>Modelling assumptions the venue adds to the report's list (none unless it says so).</summary>
    IReadOnlyList<(string Label, string Value)> Assumptions(Snapshot snapshot) => [];
}

/// <summary>The report parts of every family and venue (the registry's list), looked up by name.</summary>
public sealed record ReportParts(IReadOnlyList<IProtocolReportPart> Protocols, IReadOnlyList<IVenueReportPart> Venues)
{
    public IProtocolReportPart? Protocol(string name) => Protocols.FirstOrDefault(p => p.Protocol == name);

    /// <summary>The label of a market named in a result; the key itself for an unknown protocol.</summary>
    public string MarketLabel(Snapshot s, string protocol, string market) => Protocol(protocol)?.MarketLabel(s, market) ?? market;

    public string ShortMarketLabel(Snapshot s, string protocol, string market) => Protocol(protocol)?.ShortMarketLabel(s, market) ?? market;

    public string Colour(string protocol) => Protocol(protocol)?.Colour ?? "#6e7781";

    /// <summary>The venues with pools in the snapshot, in registry order; the first venue when none has any (its "0 … pairs").</summary>
    public IReadOnlyList<IVenueReportPart> VenuesIn(Snapshot s)
    {
        var present = Venues.Where(v => v.PoolCount(s) > 0).ToList();
        return present.Count > 0 ? present : Venues.Take(1).ToList();
    }
}
