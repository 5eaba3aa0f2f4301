using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// What <c>defirisk review</c> asks of a deployment: compile its payloads and run them the way its governance would.
/// On a fixture (no governance) payloads run through <see cref="AaveV3PayloadExecutor"/>; a payload's constructor
/// parameters of type address are filled by name from the deployment — <c>configurator</c>/<c>poolConfigurator</c>,
/// <c>pool</c>, <c>aclManager</c>, <c>oracle</c>, <c>dataProvider</c>, or a token symbol (<c>weth</c> → WETH) — since a
/// fixture's addresses are not mainnet's that real payloads hard-code.
/// </summary>
public static class GovernancePayloads
{
    /// <summary>Compiles every payload file ("FILE.sol" or "FILE.sol:Name") into creation data for this deployment.</summary>
    public static async Task<IReadOnlyList<(string Name, string Creation)>> PrepareAsync(DeploymentManifest manifest, IReadOnlyList<string> payloads, CancellationToken ct = default)
    {
        var (pool, facts) = Target(manifest);
        var modules = NodeModules.Locate();
        var result = new List<(string, string)>();
        foreach (var spec in payloads)
        {
            if (spec.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                throw new DefiRiskException($"--payload {spec}: a deployed payload is reviewed on a fork of a governed deployment, which this version does not run yet; give its .sol source");
            var colon = spec.LastIndexOf(':');
            var (file, name) = colon > 0 && spec[(colon + 1)..].All(char.IsLetterOrDigit) && !spec[(colon + 1)..].All(char.IsDigit)
                ? (spec[..colon], spec[(colon + 1)..]) : (spec, null);
            var compiled = await AaveV3PayloadExecutor.CompileAsync(modules, file, name, ct).ConfigureAwait(false);
            var inputs = JsonNode.Parse(compiled.Abi)!.AsArray().FirstOrDefault(e => e!["type"]?.GetValue<string>() == "constructor")?["inputs"]?.AsArray() ?? [];
            var types = new List<string>();
            var args = new List<object>();
            foreach (var input in inputs)
            {
                var (type, parameter) = (input!["type"]!.GetValue<string>(), input["name"]!.GetValue<string>());
                if (type != "address") throw new DefiRiskException($"{file}: constructor parameter {parameter} is a {type}; only addresses named after the deployment can be filled");
                types.Add(type);
                args.Add(Resolve(parameter, pool, facts) ?? throw new DefiRiskException($"{file}: constructor parameter '{parameter}' names no address of the deployment (configurator, pool, aclManager, oracle, dataProvider or a token symbol)"));
            }
            result.Add((compiled.Name, "0x" + compiled.Bytecode + Abi.Encode([.. types], [.. args])));
        }
        return result;
    }

    /// <summary>Runs the prepared payloads in order on the node at <paramref name="rpcUrl"/>; dispose the result to put the node back.</summary>
    public static Task<ExecutedPayload> ExecuteAsync(AnvilRpc rpc, DeploymentManifest manifest, IReadOnlyList<(string Name, string Creation)> prepared, CancellationToken ct = default)
    {
        var (pool, facts) = Target(manifest);
        var acl = pool.AclManager ?? throw new DefiRiskException("the deployments file names no aclManager: the executor cannot be granted its roles");
        return AaveV3PayloadExecutor.ExecuteAsync(rpc, acl, facts.Actors.Admin, prepared.Select(p => p.Creation).ToList(), ct);
    }

    private static (AaveV3Deployment Pool, FixtureFacts Facts) Target(DeploymentManifest manifest)
    {
        if (manifest.Fixture is null)
            throw new DefiRiskException("this version reviews payloads on fixtures (which have no governance); a governed deployment's executor is not impersonated yet");
        var pools = manifest.AaveV3();
        if (pools.Count != 1) throw new DefiRiskException($"the deployments file has {pools.Count} lending pools; a payload review needs exactly one");
        return (pools[0], FixtureFacts.From(manifest, "the deployments file"));
    }

    private static string? Resolve(string parameter, AaveV3Deployment pool, FixtureFacts facts)
    {
        var key = parameter.Trim('_').ToLowerInvariant();
        return key switch
        {
            "configurator" or "poolconfigurator" => pool.PoolConfigurator,
            "pool" => pool.Pool,
            "aclmanager" or "acl" => pool.AclManager,
            "oracle" => pool.Oracle,
            "dataprovider" => pool.DataProvider,
            _ => facts.Tokens.FirstOrDefault(t => t.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value?.Address,
        };
    }
}
