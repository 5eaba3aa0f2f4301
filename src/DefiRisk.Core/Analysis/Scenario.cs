using System.Globalization;
using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// An exogenous move of one asset's market price: <see cref="Change"/> is a fraction (−0.30 = −30 %), applied as the
/// exact ratio <see cref="FactorNumerator"/> / <see cref="FactorDenominator"/> (parts per billion). Which oracles follow
/// depends on the asset's oracle kind: a market feed follows the market; an exchange-rate oracle (wstETH) follows its
/// base asset only, so a shock of the LST itself is a depeg its oracle does not see.
/// </summary>
public sealed record AssetShock(Address Asset, decimal Change)
{
    public const long FactorDenominator = 1_000_000_000;

    public long FactorNumerator => FactorDenominator + (long)decimal.Round(Change * FactorDenominator, MidpointRounding.AwayFromZero);

    /// <summary>price × (1 + change), floor, in the price's own unit.</summary>
    public BigInteger Apply(BigInteger price) => price * FactorNumerator / FactorDenominator;

    public override string ToString() => $"{Asset}={Change.ToString("P2", CultureInfo.InvariantCulture)}";
}

/// <summary>The exogenous moves applied at one step (round) of a scenario, all at once.</summary>
public sealed record ShockStep(IReadOnlyList<AssetShock> Shocks, IReadOnlyList<AssetShock>? RatioShocks = null)
{
    /// <summary>
    /// <see cref="RatioShocks"/> cut (or raise) exchange-rate ratios at this step: the asset's ratio × (1 + change), so its
    /// oracle — ratio × base — follows at once (a slashing of an LST). Its market price moves only by what
    /// <see cref="Shocks"/> says. None when null.
    /// </summary>
    public IReadOnlyList<AssetShock> Ratios => RatioShocks ?? [];
}

/// <summary>
/// A stress scenario: step 0 is applied at round 0; step s (a shock path) at round s, on top of the endogenous
/// pool moves of the rounds before it.
/// </summary>
public sealed record Scenario(string Name, IReadOnlyList<ShockStep> Steps)
{
    public static Scenario Single(Address asset, decimal change, string? name = null) =>
        new(name ?? $"{asset} {change:P1}", [new ShockStep([new AssetShock(asset, change)])]);

    /// <summary>Compounded exogenous change of one asset over all steps (e.g. −10 %, −10 % → −19 %).</summary>
    public decimal TotalChange(Address asset)
    {
        var factor = 1m;
        foreach (var step in Steps)
            foreach (var shock in step.Shocks)
                if (shock.Asset == asset) factor *= 1 + shock.Change;
        return factor - 1;
    }

    public IReadOnlyList<Address> ShockedAssets() => Steps.SelectMany(s => s.Shocks).Select(s => s.Asset).Distinct().ToList();
}

/// <summary>
/// Parses the CLI's shock specs: <c>WETH=-30%</c> (one step), <c>WETH=-10%,-10%,-5%</c> (a path: one move per step),
/// several specs combine step by step. The asset is a symbol or an address in the snapshot. Every move states its
/// unit (<see cref="ParseChange"/>): a % sign, or — with <c>fractions</c> (the CLI's <c>--fractions</c>) — a bare
/// number read as a fraction of 1. A move is strictly above −100 % and at most +1000 %.
/// </summary>
public static class ScenarioParser
{
    /// <summary>The CLI flag that makes a bare number a fraction of 1 (−0.3 = −30 %), the same on every verb.</summary>
    public const string FractionsFlag = "--fractions";

    public static Scenario Parse(IEnumerable<string> specs, Snapshot snapshot, string? name = null, bool fractions = false)
    {
        var steps = new List<List<AssetShock>>();
        var list = specs.ToList();
        if (list.Count == 0) throw new DefiRiskException("no shock given: use e.g. --shock WETH=-30%");
        foreach (var spec in list)
        {
            var (assetText, changes) = ParseSpec(spec, fractions);
            var asset = snapshot.FindAsset(assetText)
                ?? throw new DefiRiskException($"shock '{spec}': asset '{assetText}' is not in the snapshot");
            for (var i = 0; i < changes.Count; i++)
            {
                while (steps.Count <= i) steps.Add([]);
                if (steps[i].Any(s => s.Asset == asset.Address))
                    throw new DefiRiskException($"shock '{spec}': asset '{assetText}' is shocked twice in step {i}");
                steps[i].Add(new AssetShock(asset.Address, changes[i]));
            }
        }
        return new Scenario(name ?? string.Join(" ", list), steps.Select(s => new ShockStep(s)).ToList());
    }

    /// <summary>Splits and validates one spec without resolving the asset.</summary>
    public static (string Asset, IReadOnlyList<decimal> Changes) ParseSpec(string spec, bool fractions = false)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1)
            throw new DefiRiskException($"shock '{spec}' is not of the form ASSET=-30% (or ASSET=-10%,-10% for a path)");
        var asset = spec[..eq].Trim();
        var parts = spec[(eq + 1)..].Split(',');
        var changes = new List<decimal>();
        foreach (var part in parts)
        {
            var change = ParseChange(part, fractions, $"shock '{spec}'",
                parts.Length > 1 ? "; in a path every step carries its own unit (WETH=-10%,-5%) and decimals take a point (-2.5%)" : "");
            if (change <= -1m || change > 10m)
                throw new DefiRiskException($"shock '{spec}': {(change * 100m).ToString(CultureInfo.InvariantCulture)}% is out of range (must be > -100% and <= 1000%)");
            changes.Add(change);
        }
        return (asset, changes);
    }

    /// <summary>
    /// One price move as a fraction (−0.3 = −30 %) from text that states its unit: <c>-30%</c> is percent; a bare number
    /// is a fraction only when <paramref name="fractions"/> is set; otherwise it is refused, since −0.3 and −30 are both
    /// plausible and mean a hundredfold different shock. Zero needs no unit.
    /// </summary>
    /// <param name="context">names the input in messages ("shock 'WETH=-0.3'", "--from")</param>
    /// <param name="hint">appended to a no-unit message</param>
    public static decimal ParseChange(string text, bool fractions, string context, string hint = "")
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        var number = percent ? t[..^1].TrimEnd() : t;
        if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            throw new DefiRiskException($"{context}: '{t}' is not a percentage like -30%{hint}");
        if (percent) return value / 100m;
        if (fractions || value == 0) return value;
        var asFraction = Math.Abs(value) < 1m ? $"{(value * 100m).ToString("0.####", CultureInfo.InvariantCulture)}% if it is a fraction, " : "";
        throw new DefiRiskException(
            $"{context}: '{t}' has no unit; write {asFraction}{t}% if it is percent, or pass {FractionsFlag} to read bare numbers as fractions of 1{hint}");
    }
}
