using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Core;
using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>
/// A compiled contract as a package ships it: the ABI (JSON array text), the creation bytecode (hex,
/// no 0x) and the library placeholders to fill before deploying. Read from node_modules at run time,
/// never copied into the repository.
/// </summary>
public sealed record ContractArtifact(string Name, string Abi, string Bytecode, IReadOnlyList<LibraryLink> Links)
{
    /// <summary>A hardhat artifact of <c>@aave/core-v3</c>: <c>artifacts/&lt;sourcePath&gt;/&lt;name&gt;.json</c>, e.g. ("contracts/protocol/pool/Pool.sol", "Pool").</summary>
    public static ContractArtifact Aave(NodeModules nodeModules, string sourcePath, string name)
    {
        var path = nodeModules.Combine("@aave", "core-v3", "artifacts", sourcePath, name + ".json");
        var json = ReadJson(path);
        var links = new List<LibraryLink>();
        if (json["linkReferences"] is JsonObject refs)
            foreach (var (file, byName) in refs)
                foreach (var (library, sites) in byName!.AsObject())
                    foreach (var site in sites!.AsArray())
                        links.Add(new LibraryLink(file, library, site!["start"]!.GetValue<int>(), site["length"]!.GetValue<int>()));
        return new ContractArtifact(name, json["abi"]!.ToJsonString(), Strip(json["bytecode"]!.GetValue<string>()), links);
    }

    /// <summary>A <c>@uniswap/v2-core</c> build file (<c>build/&lt;name&gt;.json</c>); its bytecode has no 0x prefix.</summary>
    public static ContractArtifact UniswapV2(NodeModules nodeModules, string name)
    {
        var json = ReadJson(nodeModules.Combine("@uniswap", "v2-core", "build", name + ".json"));
        return new ContractArtifact(name, json["abi"]!.ToJsonString(), Strip(json["bytecode"]!.GetValue<string>()), []);
    }

    /// <summary>A <c>@uniswap/v3-core</c> hardhat artifact (<c>artifacts/contracts/&lt;name&gt;.sol/&lt;name&gt;.json</c>): UniswapV3Factory,
    /// UniswapV3Pool. No link references (LOCAL-CHAIN §9).</summary>
    public static ContractArtifact UniswapV3(NodeModules nodeModules, string name)
    {
        var json = ReadJson(nodeModules.Combine("@uniswap", "v3-core", "artifacts", "contracts", name + ".sol", name + ".json"));
        return new ContractArtifact(name, json["abi"]!.ToJsonString(), Strip(json["bytecode"]!.GetValue<string>()), []);
    }

    /// <summary>
    /// The bytecode with every library placeholder replaced by its address (LOCAL-CHAIN §2: 40 hex chars at
    /// char offset start×2). <paramref name="libraries"/> maps "file:Name" to the deployed address.
    /// Fails loudly if a placeholder (<c>__$</c>) is left.
    /// </summary>
    public string LinkedBytecode(IReadOnlyDictionary<string, string> libraries)
    {
        var chars = Bytecode.ToCharArray();
        foreach (var link in Links)
        {
            var key = $"{link.File}:{link.Library}";
            if (!libraries.TryGetValue(key, out var address))
                throw new InvalidOperationException($"{Name}: library {key} is not deployed yet");
            var hex = address[2..].ToLowerInvariant();
            hex.CopyTo(0, chars, link.Start * 2, 40);
        }
        var linked = new string(chars);
        if (linked.Contains("__$", StringComparison.Ordinal))
            throw new InvalidOperationException($"{Name}: unlinked library placeholder left in the bytecode");
        return linked;
    }

    /// <summary>The placeholder solc writes for a library: <c>__$</c> + 34 hex chars of keccak256("file:Name") + <c>$__</c>.</summary>
    public static string Placeholder(string file, string library) =>
        "__$" + Sha3Keccack.Current.CalculateHash($"{file}:{library}")[..34] + "$__";

    private static JsonObject ReadJson(string path)
    {
        if (!File.Exists(path))
            throw new DefiRiskException($"artifact {path} not found: run `npm ci` in the repository root");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    private static string Strip(string hex) => hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;

    /// <summary>The ABI as a JSON array node.</summary>
    public JsonArray AbiArray => JsonNode.Parse(Abi)!.AsArray();

    internal static string Format(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>One site in a bytecode where a library address goes (byte offset and length, from linkReferences).</summary>
public sealed record LibraryLink(string File, string Library, int Start, int Length);
