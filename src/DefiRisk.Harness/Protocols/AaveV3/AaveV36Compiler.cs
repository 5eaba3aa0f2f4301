using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Compiles Aave v3.6 from npm <c>@aave-dao/aave-v3-origin@3.6.0</c> (the package ships Solidity source only) with npm
/// <c>solc@0.8.27</c> (installed as <c>solc-0.8.27</c> beside Morpho's 0.8.19), using the settings of the repository's
/// foundry.toml (LOCAL-CHAIN §8): optimizer on, 200 runs, evmVersion shanghai, no via-IR, metadata bytecodeHash none.
/// Only the import closure of the contracts the harness deploys is handed to solc, each file keyed by its path under
/// node_modules, with the three remaps the sources use. The output is cached like Morpho's
/// (<see cref="SolidityCompiler.CompileCachedAsync"/>): same sources and settings, same bytecode.
/// </summary>
public sealed partial class AaveV36Compiler(NodeModules nodeModules, string? cacheDirectory = null)
{
    public const string SolcVersion = "0.8.27";
    public const string Package = "@aave-dao/aave-v3-origin";
    private const string Contracts = Package + "/src/contracts/";
    /// <summary>Where the logic libraries live; their link references are keyed "&lt;this&gt;X.sol:X".</summary>
    public const string LogicPath = Contracts + "protocol/libraries/logic/";

    /// <summary>Import prefixes of the sources → folders under node_modules (the repository's foundry remappings).</summary>
    internal static readonly (string From, string To)[] Remappings =
    [
        ("openzeppelin-contracts/contracts/", "@openzeppelin/contracts/"),
        ("openzeppelin-contracts-upgradeable/contracts/", "@openzeppelin/contracts-upgradeable/"),
        ("solidity-utils/contracts/", "@bgd-labs/solidity-utils/src/contracts/"),
    ];

    /// <summary>The linked libraries, in a deploy order that satisfies their links (FlashLoanLogic links BorrowLogic).</summary>
    public static readonly IReadOnlyList<string> Libraries =
        ["BorrowLogic", "LiquidationLogic", "PoolLogic", "SupplyLogic", "ConfiguratorLogic", "FlashLoanLogic"];

    /// <summary>The contracts the harness deploys, by (source under node_modules, contract name).</summary>
    public static readonly IReadOnlyList<(string Source, string Name)> DeployedContracts =
    [
        (Contracts + "instances/PoolInstance.sol", "PoolInstance"),
        (Contracts + "instances/PoolConfiguratorInstance.sol", "PoolConfiguratorInstance"),
        (Contracts + "instances/ATokenInstance.sol", "ATokenInstance"),
        (Contracts + "instances/VariableDebtTokenInstance.sol", "VariableDebtTokenInstance"),
        (Contracts + "misc/AaveOracle.sol", "AaveOracle"),
        (Contracts + "misc/DefaultReserveInterestRateStrategyV2.sol", "DefaultReserveInterestRateStrategyV2"),
        (Contracts + "helpers/AaveProtocolDataProvider.sol", "AaveProtocolDataProvider"),
        (Contracts + "protocol/configuration/ACLManager.sol", "ACLManager"),
        (Contracts + "protocol/configuration/PoolAddressesProvider.sol", "PoolAddressesProvider"),
        .. Libraries.Select(l => (LogicPath + l + ".sol", l)),
    ];

    public string CacheDirectory { get; } = cacheDirectory ?? Path.Combine(nodeModules.RepositoryRoot, ".defirisk-cache");

    /// <summary>npm <c>solc-0.8.27</c>'s command-line wrapper (the aliased package; Morpho's 0.8.19 is <see cref="NodeModules.Solcjs"/>).</summary>
    public string Solcjs => nodeModules.Combine("solc-0.8.27", "solc.js");

    /// <summary>True when the last <see cref="CompileAsync"/> ran solc (false: served from the cache).</summary>
    public bool Compiled { get; private set; }

    /// <summary>Source files handed to solc by the last <see cref="CompileAsync"/>.</summary>
    public int SourceCount { get; private set; }

    /// <summary>Every contract of <see cref="DeployedContracts"/>, by contract name, with its link references.</summary>
    public async Task<IReadOnlyDictionary<string, ContractArtifact>> CompileAsync(CancellationToken ct = default)
    {
        if (!Directory.Exists(nodeModules.Combine(Package, "src")))
            throw new DefiRiskException($"{Package} sources not found under {nodeModules.Path}: run `npm ci` in the repository root");
        var sources = ImportClosure(DeployedContracts.Select(c => c.Source).Distinct());
        SourceCount = sources.Count;

        var selection = new JsonObject();
        foreach (var group in DeployedContracts.GroupBy(c => c.Source))
        {
            var byName = new JsonObject();
            foreach (var (_, name) in group) byName[name] = new JsonArray("abi", "evm.bytecode.object", "evm.bytecode.linkReferences");
            selection[group.Key] = byName;
        }
        var sourceNodes = new JsonObject();
        foreach (var (key, text) in sources) sourceNodes[key] = new JsonObject { ["content"] = text };
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = sourceNodes,
            ["settings"] = new JsonObject
            {
                ["remappings"] = new JsonArray(Remappings.Select(r => (JsonNode)JsonValue.Create($"{r.From}={r.To}")).ToArray()),
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = "shanghai",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = selection,
            },
        };
        var (output, compiled) = await SolidityCompiler.CompileCachedAsync(Solcjs, SolcVersion, input, CacheDirectory, ct).ConfigureAwait(false);
        Compiled = compiled;

        var result = new Dictionary<string, ContractArtifact>();
        foreach (var (source, name) in DeployedContracts)
        {
            var c = output["contracts"]?[source]?[name] ?? throw new DefiRiskException($"solc {SolcVersion} output lacks {source}:{name}");
            var links = new List<LibraryLink>();
            if (c["evm"]?["bytecode"]?["linkReferences"] is JsonObject refs)
                foreach (var (file, byLibrary) in refs)
                    foreach (var (library, sites) in byLibrary!.AsObject())
                        foreach (var site in sites!.AsArray())
                            links.Add(new LibraryLink(file, library, site!["start"]!.GetValue<int>(), site["length"]!.GetValue<int>()));
            result[name] = new ContractArtifact(name, c["abi"]!.ToJsonString(), c["evm"]!["bytecode"]!["object"]!.GetValue<string>(), links);
        }
        return result;
    }

    /// <summary>
    /// The entry files and everything they import, transitively: source unit name (path under node_modules) → text, sorted
    /// so the standard-JSON input (and the cache key) does not depend on discovery order. A relative import resolves
    /// against the importing file's folder; any other goes through <see cref="Remappings"/>.
    /// </summary>
    internal SortedDictionary<string, string> ImportClosure(IEnumerable<string> entries)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>(entries);
        while (pending.Count > 0)
        {
            var unit = pending.Pop();
            if (found.ContainsKey(unit)) continue;
            var file = nodeModules.Combine(unit.Split('/'));
            if (!File.Exists(file)) throw new DefiRiskException($"{unit} not found under {nodeModules.Path}: run `npm ci` in the repository root");
            var text = File.ReadAllText(file);
            found[unit] = text;
            foreach (Match m in ImportPattern().Matches(text))
                pending.Push(Resolve(unit, m.Groups[1].Value));
        }
        return found;
    }

    internal static string Resolve(string importer, string path)
    {
        if (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal))
        {
            var parts = importer.Split('/').SkipLast(1).ToList();
            foreach (var part in path.Split('/'))
            {
                if (part == ".") continue;
                if (part == "..") parts.RemoveAt(parts.Count - 1);
                else parts.Add(part);
            }
            return string.Join('/', parts);
        }
        foreach (var (from, to) in Remappings)
            if (path.StartsWith(from, StringComparison.Ordinal)) return to + path[from.Length..];
        return path;
    }

    // `import "x";`, `import {A, B} from 'x';`, `import * as X from "x";` — possibly across lines.
    [GeneratedRegex("""^\s*import\s+(?:[^;"']*?\s+from\s+)?["']([^"']+)["']\s*;""", RegexOptions.Multiline)]
    internal static partial Regex ImportPattern();
}
