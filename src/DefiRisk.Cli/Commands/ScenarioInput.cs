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

    public static Scenario From(IReadOnlyList<string> shocks, string? pathFile, Snapshot snapshot)
    {
        if (pathFile is null) return ScenarioParser.Parse(shocks, snapshot);
        if (shocks.Count > 0) throw new DefiRiskException("give either --shock or --path, not both");
        if (!File.Exists(pathFile)) throw new DefiRiskException($"--path {pathFile} does not exist");
        var steps = File.ReadAllLines(pathFile).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();
        if (steps.Count == 0) throw new DefiRiskException($"--path {pathFile} has no shock steps");
        // Step s is line s; each token a one-step move. Converted to per-asset path specs for the parser.
        var perAsset = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        for (var s = 0; s < steps.Count; s++)
            foreach (var token in steps[s].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var (asset, changes) = ScenarioParser.ParseSpec(token);
                if (changes.Count != 1) throw new DefiRiskException($"--path line {s + 1}: '{token}' must be one move (one step per line)");
                if (!perAsset.TryGetValue(asset, out var moves)) perAsset[asset] = moves = Enumerable.Repeat("0%", steps.Count).ToArray();
                moves[s] = (changes[0] * 100m).ToString(CultureInfo.InvariantCulture) + "%";
            }
        return ScenarioParser.Parse(perAsset.Select(kv => $"{kv.Key}={string.Join(",", kv.Value)}"), snapshot, $"path {Path.GetFileName(pathFile)}");
    }
}
