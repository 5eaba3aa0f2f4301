using System.CommandLine;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// The scenario options <c>simulate</c> and <c>compare</c> share: <c>--shock ASSET=-30%</c> (repeatable; a per-asset path
/// as <c>ASSET=-10%,-10%</c>) or <c>--path FILE</c>, a file with one step per line, each line the moves of that step
/// (<c>WETH=-10% WBTC=-5%</c>), <c>#</c> starting a comment.
/// </summary>
internal static class ScenarioInput
{
    public const string PathDescription = "file with one shock step per line, e.g. 'WETH=-10% WBTC=-5%' (# comments)";

    public const string ShockDescription = "ASSET=-30% (a path: ASSET=-10%,-10%); repeat for several assets. Every move needs its % sign, or " + ScenarioParser.FractionsFlag;

    /// <summary>
    /// <c>--fractions</c>: bare numbers in shocks, <c>--path</c> files and sweep ranges are fractions of 1 (−0.3 = −30 %).
    /// Without it a number must carry a % sign: the one unit convention of every verb.
    /// </summary>
    public static Option<bool> FractionsOption() =>
        new(ScenarioParser.FractionsFlag) { Description = "read numbers without a % sign as fractions of 1 (-0.3 = -30%); without it every shock needs its %" };

    /// <summary>
    /// A sweep bound or step as a drop in percent (60 = a 60 % fall), with the shocks' units: "60%" (or "-60%": a sweep
    /// only runs drops), or a fraction with <c>--fractions</c>.
    /// </summary>
    public static decimal DropPercent(string text, string option, bool fractions) =>
        Math.Abs(ScenarioParser.ParseChange(text, fractions, option)) * 100m;

    public static Scenario From(IReadOnlyList<string> shocks, string? pathFile, Snapshot snapshot, bool fractions = false)
    {
        if (pathFile is null) return ScenarioParser.Parse(shocks, snapshot, fractions: fractions);
        if (shocks.Count > 0) throw new DefiRiskException("give either --shock or --path, not both");
        InputFile.Require(pathFile, "--path");
        var steps = File.ReadAllLines(pathFile).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();
        if (steps.Count == 0) throw new DefiRiskException($"--path {pathFile} has no shock steps");
        // Step s is line s; each token a one-step move. Converted to per-asset path specs for the parser.
        var perAsset = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        for (var s = 0; s < steps.Count; s++)
            foreach (var token in steps[s].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var (asset, changes) = ScenarioParser.ParseSpec(token, fractions);
                if (changes.Count != 1) throw new DefiRiskException($"--path line {s + 1}: '{token}' must be one move (one step per line)");
                if (!perAsset.TryGetValue(asset, out var moves)) perAsset[asset] = moves = Enumerable.Repeat("0%", steps.Count).ToArray();
                moves[s] = (changes[0] * 100m).ToString(CultureInfo.InvariantCulture) + "%";
            }
        return ScenarioParser.Parse(perAsset.Select(kv => $"{kv.Key}={string.Join(",", kv.Value)}"), snapshot, $"path {Path.GetFileName(pathFile)}");
    }
}
