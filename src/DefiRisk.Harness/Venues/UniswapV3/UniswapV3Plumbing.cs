using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>What every Uniswap v3 deployment of the harness shares: the fee tiers and the plumbing callee's bytecode.
/// In the harness's root namespace so that the fixture builder and the v3 harness both use it without a cycle.</summary>
public static class UniswapV3Plumbing
{
    /// <summary>Fee tiers (pips) and their tick spacings on mainnet: 500/10, 3000/60, 10000/200 from the factory, 100/1 enabled later.</summary>
    public static readonly IReadOnlyList<(int Fee, int TickSpacing)> FeeTiers = [(100, 1), (500, 10), (3000, 60), (10000, 200)];
    private const string CalleeSource = "fixtures/contracts/plumbing/UniswapV3Callee.sol";

    /// <summary>Compiles the callee with the npm solc (0.8.19, optimizer 200 runs, paris), cached by input hash as
    /// <see cref="SolidityCompiler"/> caches the fixture contracts.</summary>
    public static async Task<string> CompileCalleeAsync(NodeModules nodeModules, CancellationToken ct)
    {
        var path = Path.Combine(nodeModules.RepositoryRoot, CalleeSource);
        if (!File.Exists(path)) throw new DefiRiskException($"{path} not found");
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { [CalleeSource] = new JsonObject { ["content"] = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) } },
            ["settings"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = "paris",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = new JsonObject { [CalleeSource] = new JsonObject { ["UniswapV3Callee"] = new JsonArray("evm.bytecode.object") } },
            },
        }.ToJsonString();
        var compiler = new SolidityCompiler(nodeModules);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(input)))[..16].ToLowerInvariant();
        var cacheFile = Path.Combine(compiler.CacheDirectory, $"solc-0.8.19-{key}.json");
        string output;
        if (File.Exists(cacheFile)) output = await File.ReadAllTextAsync(cacheFile, ct).ConfigureAwait(false);
        else
        {
            output = await compiler.RunSolcAsync(input, ct).ConfigureAwait(false);
            Directory.CreateDirectory(compiler.CacheDirectory);
            var temp = $"{cacheFile}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllTextAsync(temp, output, ct).ConfigureAwait(false);
            File.Move(temp, cacheFile, overwrite: true);
        }
        var parsed = JsonNode.Parse(output)!;
        if (parsed["errors"] is JsonArray errors && errors.FirstOrDefault(e => e!["severity"]?.GetValue<string>() == "error") is { } error)
            throw new DefiRiskException($"solc failed on {CalleeSource}: {error["formattedMessage"]?.GetValue<string>()?.Split('\n')[0]}");
        return parsed["contracts"]?[CalleeSource]?["UniswapV3Callee"]?["evm"]?["bytecode"]?["object"]?.GetValue<string>()
            ?? throw new DefiRiskException($"solc output lacks {CalleeSource}:UniswapV3Callee");
    }
}
