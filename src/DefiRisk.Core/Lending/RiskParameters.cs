using System.Globalization;
using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Lending;

/// <summary>How a <see cref="RiskParameter"/>'s value is stored: its contract unit decides how it reads.</summary>
public enum ParameterUnit
{
    /// <summary>Basis points (8250 = 82.5 %).</summary>
    Bps,
    /// <summary>A wad fraction (0.945e18 = 94.5 %).</summary>
    WadPercent,
    /// <summary>A wad number such as a factor or a health factor (1.0438e18 = 1.0438).</summary>
    WadFactor,
    /// <summary>Whole tokens (0 = no cap).</summary>
    WholeTokens,
    /// <summary>No number: <see cref="RiskParameter.Text"/> (an address, a list of symbols).</summary>
    Text,
}

/// <summary>
/// One current risk parameter of one market, as its family names it (<c>defirisk params</c>, the compare report's
/// current-vs-proposed table). <see cref="Market"/> is the market key results use (<see cref="PositionHealth.Market"/>);
/// <see cref="Subject"/> what inside it the parameter belongs to (a reserve's symbol, an e-mode category, the market's
/// pair); <see cref="Value"/> exact in <see cref="Unit"/>, or <see cref="Text"/>. Symbols come from the chain: escape them.
/// </summary>
public sealed record RiskParameter(string Protocol, string Market, string Subject, string Name, ParameterUnit Unit, BigInteger? Value = null, string? Text = null)
{
    /// <summary>Identifies the parameter across snapshots (baseline vs proposal).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => string.Join('\u001f', Protocol, Market, Subject, Name);

    /// <summary>The value as a reader writes it: "82.5%", "×1.0438", "1,000,000", "none" (a cap of 0), or the text.</summary>
    public string Display => Unit switch
    {
        ParameterUnit.Bps => Percent((decimal)(Value ?? 0) / 100m),
        ParameterUnit.WadPercent => Percent(decimal.Parse(FixedPoint.FormatFixed((Value ?? 0) * 100, 18), CultureInfo.InvariantCulture)),
        ParameterUnit.WadFactor => decimal.Parse(FixedPoint.FormatFixed(Value ?? 0, 18), CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture),
        ParameterUnit.WholeTokens => Value is { IsZero: false } v ? v.ToString("#,0", CultureInfo.InvariantCulture) : "none",
        _ => Text ?? "",
    };

    private static string Percent(decimal p) => p.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

/// <summary>A parameter the proposal changes: <see cref="Current"/> null = the proposal adds it (e.g. a new market); <see cref="Proposed"/> null = it removes it.</summary>
public sealed record RiskParameterChange(RiskParameter? Current, RiskParameter? Proposed)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public RiskParameter Any => Current ?? Proposed!;
}

/// <summary>Every lending book's current parameters, and the difference a proposal's world makes to them.</summary>
public static class RiskParameters
{
    /// <summary>Each book's parameters in book order (<paramref name="protocol"/>: only that family).</summary>
    public static IReadOnlyList<RiskParameter> Of(Snapshot snapshot, string? protocol = null) =>
        snapshot.Books.OfType<ILendingBook>().Where(b => protocol is null || b.Protocol == protocol).SelectMany(b => b.RiskParameters(snapshot)).ToList();

    /// <summary>
    /// Only the parameters whose value differs between <paramref name="baseline"/> and <paramref name="proposal"/> (the
    /// proposal's world, <see cref="Proposals.ProposalApplier"/>), in the baseline's order, added ones last.
    /// </summary>
    public static IReadOnlyList<RiskParameterChange> Changes(Snapshot baseline, Snapshot proposal)
    {
        var before = Of(baseline);
        var after = Of(proposal);
        var afterByKey = after.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First());
        var beforeKeys = before.Select(p => p.Key).ToHashSet();
        var changes = new List<RiskParameterChange>();
        foreach (var b in before)
        {
            afterByKey.TryGetValue(b.Key, out var a);
            if (a is null || a.Value != b.Value || a.Text != b.Text) changes.Add(new RiskParameterChange(b, a));
        }
        foreach (var a in after)
            if (!beforeKeys.Contains(a.Key)) changes.Add(new RiskParameterChange(null, a));
        return changes;
    }
}
