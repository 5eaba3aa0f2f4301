using System.Text.RegularExpressions;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>An installed npm solc: its version, its script, and the EVM version the project compiles for with it.</summary>
public sealed record InstalledSolc(string Version, string Script, string EvmVersion);

/// <summary>
/// Picks the installed npm solc that satisfies every <c>pragma solidity</c> of a set of sources: 0.8.27 (npm
/// <c>solc-0.8.27</c>, Aave 3.6's) when it does, else 0.8.19 (npm <c>solc</c>, Morpho Blue's exact pragma). Pragmas are
/// read as solc reads them: comparators (<c>^</c>, <c>~</c>, <c>&gt;=</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&lt;</c>, <c>=</c>
/// or none) joined by spaces, alternatives by <c>||</c>; <c>^0.8.0</c> means &gt;=0.8.0 &lt;0.9.0.
/// </summary>
public static partial class SolcVersions
{
    public static IReadOnlyList<InstalledSolc> Installed(NodeModules nodeModules) =>
    [
        new(AaveV36Compiler.SolcVersion, new AaveV36Compiler(nodeModules).Solcjs, "shanghai"),
        new("0.8.19", nodeModules.Solcjs, "paris"),
    ];

    /// <summary>The first installed solc satisfying every pragma of <paramref name="sources"/> (unit name → text); one line naming the first unmet pragma otherwise.</summary>
    public static InstalledSolc Choose(NodeModules nodeModules, IReadOnlyDictionary<string, string> sources, string what)
    {
        var pragmas = sources.SelectMany(s => PragmaPattern().Matches(s.Value).Select(m => (Unit: s.Key, Constraint: m.Groups[1].Value.Trim()))).ToList();
        var installed = Installed(nodeModules);
        foreach (var solc in installed)
            if (pragmas.All(p => Satisfies(solc.Version, p.Constraint))) return solc;
        var unmet = pragmas.FirstOrDefault(p => installed.All(s => !Satisfies(s.Version, p.Constraint)));
        throw new DefiRiskException(unmet.Unit is null
            ? $"{what}: no installed solc ({string.Join(", ", installed.Select(s => s.Version))}) satisfies all its pragmas together"
            : $"{what}: pragma solidity {unmet.Constraint} ({unmet.Unit}) is satisfied by no installed solc ({string.Join(", ", installed.Select(s => s.Version))})");
    }

    /// <summary>Whether <paramref name="version"/> (x.y.z) meets a pragma constraint such as "^0.8.0" or "&gt;=0.8.0 &lt;0.9.0".</summary>
    public static bool Satisfies(string version, string constraint)
    {
        var v = Parse(version);
        return constraint.Split("||").Any(alternative =>
        {
            var text = Regex.Replace(alternative.Trim(), @"(>=|<=|>|<|=|\^|~)\s+", "$1");
            return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(c => Meets(v, c));
        });
    }

    private static bool Meets((int, int, int) v, string comparator)
    {
        var m = Regex.Match(comparator, @"^(>=|<=|>|<|=|\^|~)?(\d+)(?:\.(\d+))?(?:\.(\d+))?$");
        if (!m.Success) return false;
        var (major, minor, patch) = (int.Parse(m.Groups[2].Value), m.Groups[3].Success ? int.Parse(m.Groups[3].Value) : 0, m.Groups[4].Success ? int.Parse(m.Groups[4].Value) : 0);
        var c = (major, minor, patch);
        var cmp = Compare(v, c);
        return m.Groups[1].Value switch
        {
            ">=" => cmp >= 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            "<" => cmp < 0,
            // ^0.8.3: >=0.8.3 <0.9.0 (the first non-zero part is fixed); ~0.8.3: >=0.8.3 <0.9.0.
            "^" => cmp >= 0 && (major != 0 ? v.Item1 == major : v.Item1 == 0 && v.Item2 == minor),
            "~" => cmp >= 0 && v.Item1 == major && v.Item2 == minor,
            _ => cmp == 0,
        };
    }

    private static int Compare((int, int, int) a, (int, int, int) b) => a.CompareTo(b);

    private static (int, int, int) Parse(string version)
    {
        var parts = version.Split('.').Select(int.Parse).ToArray();
        return (parts[0], parts[1], parts[2]);
    }

    [GeneratedRegex(@"^\s*pragma\s+solidity\s+([^;]+);", RegexOptions.Multiline)]
    private static partial Regex PragmaPattern();
}
