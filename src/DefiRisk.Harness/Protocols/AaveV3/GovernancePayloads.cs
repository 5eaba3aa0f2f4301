using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>A payload ready to run: its name (the contract, or the address of a deployed one) and its code.</summary>
public sealed record PreparedPayload(string Name, PayloadCode Code);

/// <summary>
/// What <c>defirisk review</c> asks of a deployment: compile its payloads and run them the way its governance would.
/// When the deployments file names an Aave pool's <c>governanceExecutor</c> (mainnet: Executor level 1), its owner is
/// impersonated and calls <c>executeTransaction</c>; otherwise (the fixtures, no governance) payloads run through
/// <see cref="AaveV3PayloadExecutor"/>'s executor granted the same roles. A payload is a source ("FILE.sol" or
/// "FILE.sol:Name") or the address of one already deployed ("0x…", as real BGD payloads are reviewed on a fork).
/// A source payload's constructor parameters of type address are filled by name from the deployment —
/// <c>configurator</c>/<c>poolConfigurator</c>, <c>pool</c>, <c>aclManager</c>, <c>oracle</c>, <c>dataProvider</c>, or a
/// fixture token symbol (<c>weth</c> → WETH) — since a fixture's addresses are not mainnet's that real payloads hard-code.
/// </summary>
public static partial class GovernancePayloads
{
    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex AddressPattern();

    /// <summary>True for "0x" + 40 hex digits: a deployed payload rather than a source file.</summary>
    public static bool IsAddress(string spec) => AddressPattern().IsMatch(spec);

    /// <summary>Compiles every source payload ("FILE.sol" or "FILE.sol:Name") into creation data for this deployment; addresses pass through.</summary>
    public static async Task<IReadOnlyList<PreparedPayload>> PrepareAsync(DeploymentManifest manifest, IReadOnlyList<string> payloads, CancellationToken ct = default)
    {
        var pools = Pools(manifest);
        var facts = manifest.Fixture is null ? null : FixtureFacts.From(manifest, "the deployments file");
        Route(manifest); // a deployments file that cannot run payloads stops here, before anything compiles
        var modules = NodeModules.Locate();
        var result = new List<PreparedPayload>();
        foreach (var spec in payloads)
        {
            if (IsAddress(spec)) { result.Add(new PreparedPayload(spec, PayloadCode.At(spec))); continue; }
            if (spec.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                throw new DefiRiskException($"--payload {spec}: not an address (0x and 40 hex digits) nor a .sol file");
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
                args.Add(Resolve(file, parameter, pools, facts) ?? throw new DefiRiskException($"{file}: constructor parameter '{parameter}' names no address of the deployment (configurator, pool, aclManager, oracle, dataProvider or a token symbol)"));
            }
            result.Add(new PreparedPayload(compiled.Name, PayloadCode.Deploy("0x" + compiled.Bytecode + Abi.Encode([.. types], [.. args]))));
        }
        return result;
    }

    /// <summary>Runs the prepared payloads in order on the node behind <paramref name="rpc"/>; dispose the result to put the node back.</summary>
    public static Task<ExecutedPayload> ExecuteAsync(AnvilRpc rpc, DeploymentManifest manifest, IReadOnlyList<PreparedPayload> prepared, CancellationToken ct = default) =>
        AaveV3PayloadExecutor.ExecuteAsync(rpc, Route(manifest), prepared.Select(p => p.Code).ToList(), ct);

    /// <summary>
    /// The governance executor named by the deployment's pools (one for all: mainnet's Core and Prime share Executor
    /// level 1; a pool naming none, such as SparkLend under its own governance, is re-indexed but not governed by it),
    /// else our fixture executor, granted its roles by the fixture's ACL admin.
    /// </summary>
    public static PayloadRoute Route(DeploymentManifest manifest)
    {
        var pools = Pools(manifest);
        var executors = pools.Select(p => p.GovernanceExecutor?.ToLowerInvariant()).OfType<string>().Distinct().ToList();
        if (executors.Count > 1)
            throw new DefiRiskException($"the deployments file's pools name different governanceExecutors ({string.Join(", ", executors)}); a review runs payloads through one");
        if (executors.Count == 1) return new GovernanceExecutorRoute(executors[0]);
        if (manifest.Fixture is null)
            throw new DefiRiskException("the deployments file names no aave-v3 governanceExecutor and is not a fixture: there is no one to run the payload as");
        if (pools.Count != 1) throw new DefiRiskException($"the deployments file has {pools.Count} lending pools and no governance; a payload review needs exactly one");
        var acl = pools[0].AclManager ?? throw new DefiRiskException("the deployments file names no aclManager: the executor cannot be granted its roles");
        return new FixtureExecutorRoute(acl, FixtureFacts.From(manifest, "the deployments file").Actors.Admin);
    }

    private static IReadOnlyList<AaveV3Deployment> Pools(DeploymentManifest manifest)
    {
        var pools = manifest.AaveV3();
        if (pools.Count == 0) throw new DefiRiskException("the deployments file names no aave-v3 pool: a payload review needs one");
        return pools;
    }

    private static string? Resolve(string file, string parameter, IReadOnlyList<AaveV3Deployment> pools, FixtureFacts? facts)
    {
        var key = parameter.Trim('_').ToLowerInvariant();
        var token = facts?.Tokens.FirstOrDefault(t => t.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value?.Address;
        if (token is not null) return token;
        if (key is not ("configurator" or "poolconfigurator" or "pool" or "aclmanager" or "acl" or "oracle" or "dataprovider")) return null;
        if (pools.Count != 1)
            throw new DefiRiskException($"{file}: constructor parameter '{parameter}' is ambiguous: the deployments file has {pools.Count} pools");
        var pool = pools[0];
        return key switch
        {
            "configurator" or "poolconfigurator" => pool.PoolConfigurator,
            "pool" => pool.Pool,
            "aclmanager" or "acl" => pool.AclManager,
            "oracle" => pool.Oracle,
            _ => pool.DataProvider,
        };
    }
}
