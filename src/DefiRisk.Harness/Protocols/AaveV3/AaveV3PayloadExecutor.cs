using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>A payload compiled from Solidity: its name, ABI (JSON text) and creation bytecode (hex, no 0x).</summary>
public sealed record CompiledPayload(string Name, string Abi, string Bytecode);

/// <summary>
/// Runs an Aave governance payload the way governance does. On a governed deployment (a mainnet fork) the executor's
/// owner — the PayloadsController — is impersonated and calls <c>executeTransaction(payload, 0, "execute()", "", true)</c>.
/// On a deployment without governance (the fixtures) our <c>PayloadExecutor</c> (fixtures/contracts/plumbing) gets
/// exactly Executor level 1's roles on the ACLManager (POOL_ADMIN, RISK_ADMIN) and delegatecalls the payload's <c>execute()</c>. Everything — executor, grants, payload,
/// execution — is mined in one block at the head's timestamp (anvil accepts a timestamp equal to the parent's), so
/// prices and interest indexes stay those of the snapshot. The caller's node is restored by
/// <see cref="ExecutedPayload.DisposeAsync"/>: <c>evm_revert</c> to a snapshot taken first, and
/// <c>anvil_stopImpersonatingAccount</c>, which <c>evm_revert</c> does not undo.
/// </summary>
public static class AaveV3PayloadExecutor
{
    /// <summary>Where our executor's source lives, from the repository root.</summary>
    public const string ExecutorSource = "fixtures/contracts/plumbing/PayloadExecutor.sol";
    public const string ExecutorName = "PayloadExecutor";
    private const long DeployGas = 8_000_000, CallGas = 15_000_000;

    /// <summary>
    /// Compiles <paramref name="sourcePath"/> with the installed npm solc its pragmas allow (0.8.27 when they allow it, else
    /// 0.8.19; cached like the fixture contracts) and returns the
    /// payload: <paramref name="contractName"/>, else the one contract with an <c>execute()</c> function.
    /// A compile error fails with solc's first message (file:line).
    /// </summary>
    public static async Task<CompiledPayload> CompileAsync(NodeModules nodeModules, string sourcePath, string? contractName = null, CancellationToken ct = default)
    {
        if (!File.Exists(sourcePath)) throw new DefiRiskException($"payload {sourcePath} not found");
        var key = Path.GetFileName(sourcePath);
        var text = await File.ReadAllTextAsync(sourcePath, ct).ConfigureAwait(false);
        var sources = new JsonObject { [key] = new JsonObject { ["content"] = text } };
        var imported = PackageImports(nodeModules, sourcePath, text);
        foreach (var (unit, content) in imported)
            sources[unit] = new JsonObject { ["content"] = content };
        var solc = SolcVersions.Choose(nodeModules, new Dictionary<string, string>(imported) { [key] = text }, sourcePath);
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = sources,
            ["settings"] = new JsonObject
            {
                // The npm packages' own imports (Aave 3.6's foundry remappings), so an imported interface compiles as it does there.
                ["remappings"] = new JsonArray(AaveV36Compiler.Remappings.Select(r => (JsonNode)JsonValue.Create($"{r.From}={r.To}")).ToArray()),
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = solc.EvmVersion,
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = new JsonObject { [key] = new JsonObject { ["*"] = new JsonArray("abi", "evm.bytecode.object") } },
            },
        };
        var cache = Path.Combine(nodeModules.RepositoryRoot, ".defirisk-cache");
        JsonObject output;
        try
        {
            (output, _) = await SolidityCompiler.CompileCachedAsync(solc.Script, solc.Version, input, cache, ct).ConfigureAwait(false);
        }
        catch (DefiRiskException ex) when (ex.Message.StartsWith("solc ", StringComparison.Ordinal))
        {
            // "solc 0.8.27 failed: X.sol:12:5: ParserError: …" → the path the user gave, then solc's line.
            var message = ex.Message.Replace($"failed: {key}:", $"failed: {sourcePath}:", StringComparison.Ordinal);
            throw new DefiRiskException(message.Contains(sourcePath, StringComparison.Ordinal) ? message : $"{sourcePath}: {message}");
        }
        var contracts = output["contracts"]?[key]?.AsObject() ?? throw new DefiRiskException($"{sourcePath}: solc produced no contracts");
        var candidates = contracts
            .Where(c => contractName is null
                ? c.Value!["abi"]!.AsArray().Any(e => e!["type"]?.GetValue<string>() == "function" && e["name"]?.GetValue<string>() == "execute" && e["inputs"]!.AsArray().Count == 0)
                : c.Key == contractName)
            .ToList();
        if (candidates.Count != 1)
            throw new DefiRiskException(contractName is null
                ? $"{sourcePath}: {candidates.Count} contracts have execute(); name the payload as {key}:Name"
                : $"{sourcePath} has no contract {contractName}");
        var (name, node) = (candidates[0].Key, candidates[0].Value!);
        var bytecode = node["evm"]!["bytecode"]!["object"]!.GetValue<string>();
        if (bytecode.Length == 0) throw new DefiRiskException($"{sourcePath}:{name} is abstract or an interface: it cannot be deployed");
        return new CompiledPayload(name, node["abi"]!.ToJsonString(), bytecode);
    }

    /// <summary>
    /// Deploys <paramref name="payloads"/> (each its creation data: bytecode plus ABI-encoded constructor arguments) and
    /// runs their <c>execute()</c> in order through a fresh executor holding POOL_ADMIN and RISK_ADMIN, granted by
    /// <paramref name="aclAdmin"/> (impersonated) on <paramref name="aclManager"/>. Returns the post-payload block;
    /// dispose it to put the node back.
    /// </summary>
    public static Task<ExecutedPayload> ExecuteAsync(AnvilNode node, string aclManager, string aclAdmin, IReadOnlyList<string> payloads, CancellationToken ct = default) =>
        ExecuteAsync(node.Rpc, aclManager, aclAdmin, payloads, ct);

    /// <inheritdoc cref="ExecuteAsync(AnvilNode, string, string, IReadOnlyList{string}, CancellationToken)"/>
    public static Task<ExecutedPayload> ExecuteAsync(AnvilRpc rpc, string aclManager, string aclAdmin, IReadOnlyList<string> payloads, CancellationToken ct = default) =>
        ExecuteAsync(rpc, new FixtureExecutorRoute(aclManager, aclAdmin), payloads.Select(PayloadCode.Deploy).ToList(), ct);

    /// <summary>
    /// Runs <paramref name="payloads"/> (deployed first when given as source) in order along <paramref name="route"/>,
    /// all in one block mined at the head's timestamp. Returns the post-payload block; dispose it to put the node back.
    /// </summary>
    public static async Task<ExecutedPayload> ExecuteAsync(AnvilRpc rpc, PayloadRoute route, IReadOnlyList<PayloadCode> payloads, CancellationToken ct = default)
    {
        var node = new NodeCalls(rpc);
        foreach (var p in payloads.Where(p => p.Address is not null))
            if (await node.CodeSizeAsync(p.Address!).ConfigureAwait(false) == 0)
                throw new DefiRiskException($"--payload {p.Address}: no contract at that address on this node (a deployed payload is reviewed on a fork of the chain it is deployed on)");
        string sender;
        if (route is GovernanceExecutorRoute governed)
        {
            if (await node.CodeSizeAsync(governed.Executor).ConfigureAwait(false) == 0)
                throw new DefiRiskException($"the deployments file's governanceExecutor {governed.Executor} has no code on this node");
            var owner = await node.TryCallAsync(governed.Executor, Abi.Call("owner()")).ConfigureAwait(false);
            if (owner is null || owner.Length < 66)
                throw new DefiRiskException($"the governance executor {governed.Executor} has no owner(): it is not an Aave governance executor");
            sender = Abi.AddressAt(owner, 0);
        }
        else sender = ((FixtureExecutorRoute)route).AclAdmin;
        var executor = route is FixtureExecutorRoute ? await CompileExecutorAsync(ct).ConfigureAwait(false) : null;

        var head = await node.Rpc.CallAsync("eth_getBlockByNumber", "latest", false).ConfigureAwait(false);
        var parentNumber = (long)AnvilRpc.Quantity(head.GetProperty("number"));
        var parentTimestamp = (long)AnvilRpc.Quantity(head.GetProperty("timestamp"));
        var automine = (await node.Rpc.CallAsync("anvil_getAutomine").ConfigureAwait(false)).GetBoolean();
        var snapshot = await node.SnapshotAsync().ConfigureAwait(false);
        var executed = new ExecutedPayload(rpc, snapshot, sender, automine, parentNumber + 1);
        try
        {
            await node.ImpersonateAsync(sender).ConfigureAwait(false);
            // Gas price 0 where the node allows it; the balance covers a node whose base fee is not 0 (reverted anyway).
            await node.SetBalanceAsync(sender, System.Numerics.BigInteger.Pow(10, 24)).ConfigureAwait(false);
            if (automine) await node.SetAutomineAsync(false).ConfigureAwait(false);

            var nonce = (long)AnvilRpc.Quantity(await node.Rpc.CallAsync("eth_getTransactionCount", sender, "pending").ConfigureAwait(false));
            var sent = new List<(string Hash, string Label, Dictionary<string, object> Request)>();
            async Task<string> Send(string? to, string data, long gas, string label)
            {
                var request = new Dictionary<string, object> { ["from"] = sender, ["data"] = data, ["gas"] = AnvilRpc.Hex(gas), ["nonce"] = AnvilRpc.Hex(nonce) };
                if (to is not null) request["to"] = to;
                var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
                sent.Add((hash, label, request));
                return Nethereum.Util.ContractUtils.CalculateContractAddress(sender, nonce++).ToLowerInvariant();
            }

            string executorAddress;
            if (route is FixtureExecutorRoute fixture)
            {
                executorAddress = await Send(null, "0x" + executor, DeployGas, "deploy the payload executor").ConfigureAwait(false);
                await Send(fixture.AclManager, Abi.Call("addPoolAdmin(address)", executorAddress), CallGas, "grant POOL_ADMIN to the executor").ConfigureAwait(false);
                await Send(fixture.AclManager, Abi.Call("addRiskAdmin(address)", executorAddress), CallGas, "grant RISK_ADMIN to the executor").ConfigureAwait(false);
            }
            else executorAddress = ((GovernanceExecutorRoute)route).Executor;
            var payloadAddresses = new List<string>();
            for (var i = 0; i < payloads.Count; i++)
            {
                if (payloads[i].Address is { } deployed) { payloadAddresses.Add(deployed); continue; }
                var creation = payloads[i].Creation!.StartsWith("0x", StringComparison.Ordinal) ? payloads[i].Creation! : "0x" + payloads[i].Creation;
                payloadAddresses.Add(await Send(null, creation, DeployGas, $"deploy payload {i + 1}").ConfigureAwait(false));
            }
            for (var i = 0; i < payloadAddresses.Count; i++)
            {
                // Governance: executeTransaction(target, value, signature, data, withDelegatecall), as the PayloadsController calls it.
                var call = route is GovernanceExecutorRoute
                    ? Abi.Call("executeTransaction(address,uint256,string,bytes,bool)", payloadAddresses[i], System.Numerics.BigInteger.Zero, "execute()", Array.Empty<byte>(), true)
                    : Abi.Call("executePayload(address)", payloadAddresses[i]);
                await Send(executorAddress, call, CallGas, $"execute payload {i + 1}").ConfigureAwait(false);
            }

            await node.MineAsync(parentTimestamp).ConfigureAwait(false);
            var receipts = await node.Rpc.BatchAsync(sent.Select(s => ("eth_getTransactionReceipt", new object?[] { s.Hash })).ToList()).ConfigureAwait(false);
            for (var i = 0; i < receipts.Count; i++)
            {
                if (receipts[i].ValueKind == JsonValueKind.Null)
                    throw new DefiRiskException($"{sent[i].Label}: not mined in the payload block");
                if (AnvilRpc.Quantity(receipts[i].GetProperty("status")) != 1)
                    throw new DefiRiskException($"{sent[i].Label} reverted{await RevertReasonAsync(rpc, sent[i].Hash, sent[i].Request).ConfigureAwait(false)}");
                if ((long)AnvilRpc.Quantity(receipts[i].GetProperty("blockNumber")) != parentNumber + 1)
                    throw new DefiRiskException($"{sent[i].Label}: mined outside the payload block");
            }
            executed.ExecutorAddress = executorAddress;
            executed.PayloadAddresses = payloadAddresses;
            return executed;
        }
        catch
        {
            await executed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The revert data of a failed transaction, from its call trace (<c>debug_traceTransaction</c>, <c>callTracer</c>; our
    /// executor passes the payload's revert data up unchanged): ": reason" for Error(string), the panic code, or the
    /// custom error named from the pool's Errors library, with its comment (which names the missing role).
    /// </summary>
    private static async Task<string> RevertReasonAsync(AnvilRpc rpc, string hash, Dictionary<string, object> request)
    {
        string? output = null;
        try
        {
            var trace = await rpc.CallAsync("debug_traceTransaction", hash, new Dictionary<string, object> { ["tracer"] = "callTracer" }).ConfigureAwait(false);
            output = DeepestRevert(trace);
        }
        catch (DefiRiskException)
        {
            // No tracer on this node: the replay below.
        }
        if (output is null || output.Length < 10)
        {
            // Replayed on the block's post-state, where the executor, its roles and the payload exist (the failed call changed nothing).
            var replay = new Dictionary<string, object>(request);
            replay.Remove("nonce");
            var outcome = (await rpc.TryBatchAsync([("eth_call", [replay, "latest"])]).ConfigureAwait(false))[0];
            if (outcome.Error is { } error && System.Text.RegularExpressions.Regex.Match(error, "0x[0-9a-fA-F]{8,}") is { Success: true } found)
                output = found.Value;
        }
        if (output is null || output.Length < 10) return " (no revert data)";
        var selector = output[2..10].ToLowerInvariant();
        var data = output[10..];
        if (selector == "08c379a0" && data.Length >= 128)
        {
            var length = (int)AnvilRpc.Quantity(data[64..128]);
            return ": " + System.Text.Encoding.UTF8.GetString(Convert.FromHexString(data.Substring(128, Math.Min(length * 2, data.Length - 128))));
        }
        if (selector == "4e487b71" && data.Length >= 64) return $": panic 0x{AnvilRpc.Quantity(data[..64]):x}";
        return KnownErrors().TryGetValue(selector, out var known) ? $": {known}" : $": custom error 0x{selector}";
    }

    /// <summary>
    /// The revert data of the frame that caused the revert: from the top frame down through the last reverted sub-call at
    /// each level. Aave's governance executor replaces the payload's error with its own ("29", FAILED_ACTION_EXECUTION),
    /// so the payload's reason lives only in a deeper frame; our fixture executor passes it up, so both read the same.
    /// </summary>
    private static string? DeepestRevert(JsonElement frame)
    {
        string? found = frame.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.String && o.GetString()!.Length >= 10 ? o.GetString() : null;
        if (frame.TryGetProperty("calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            var failed = calls.EnumerateArray().LastOrDefault(c => c.TryGetProperty("error", out _));
            if (failed.ValueKind == JsonValueKind.Object && DeepestRevert(failed) is { } deeper) found = deeper;
        }
        return found;
    }

    /// <summary>Selector → "Name (comment)" of every error in the npm 3.6 package's Errors library.</summary>
    private static Dictionary<string, string> KnownErrors()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = NodeModules.Locate().Combine(AaveV36Compiler.Package, "src", "contracts", "protocol", "libraries", "helpers", "Errors.sol");
        if (!File.Exists(file)) return result;
        foreach (var line in File.ReadLines(file))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\s*error\s+(\w+)\(([^)]*)\);\s*(?://\s*'?([^']*)'?)?");
            if (!m.Success) continue;
            var types = string.Join(',', m.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.Split(' ')[0]));
            var selector = Abi.Selector($"{m.Groups[1].Value}({types})");
            var comment = m.Groups[3].Value.Trim();
            result[selector] = comment.Length > 0 ? $"{m.Groups[1].Value} ({comment})" : m.Groups[1].Value;
        }
        return result;
    }

    /// <summary>
    /// The source units a payload imports from the project's npm packages (<c>@aave-dao/aave-v3-origin/…</c> for 3.6,
    /// <c>@aave/core-v3/…</c> for 3.0, <c>@morpho-org/morpho-blue/…</c>, OpenZeppelin), with everything they import in turn,
    /// keyed by their path under node_modules — the import path itself, so solc needs no remapping for the payload's own
    /// imports. A relative import is left to solc (its "not found" error names the file and line); a package import that
    /// is not installed fails here with the payload's file and line.
    /// </summary>
    private static IReadOnlyDictionary<string, string> PackageImports(NodeModules nodeModules, string sourcePath, string text)
    {
        var entries = new List<string>();
        foreach (System.Text.RegularExpressions.Match m in AaveV36Compiler.ImportPattern().Matches(text))
        {
            var path = m.Groups[1].Value;
            if (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal)) continue;
            var unit = AaveV36Compiler.Resolve("", path);
            if (!File.Exists(nodeModules.Combine(unit.Split('/'))))
            {
                var line = text[..m.Groups[1].Index].Count(c => c == '\n') + 1;
                throw new DefiRiskException($"{sourcePath}:{line}: import '{path}' is not in the project's npm packages (node_modules: @aave-dao/aave-v3-origin, @aave/core-v3, @morpho-org/morpho-blue, @openzeppelin/contracts)");
            }
            entries.Add(unit);
        }
        return entries.Count == 0 ? new Dictionary<string, string>() : new AaveV36Compiler(nodeModules).ImportClosure(entries);
    }

    private static async Task<string> CompileExecutorAsync(CancellationToken ct)
    {
        var modules = NodeModules.Locate();
        var compiled = await CompileAsync(modules, Path.Combine(modules.RepositoryRoot, ExecutorSource), ExecutorName, ct).ConfigureAwait(false);
        return compiled.Bytecode;
    }
}

/// <summary>A payload to run: creation data to deploy first (a compiled source), or the address of one already deployed.</summary>
public sealed record PayloadCode(string? Creation, string? Address)
{
    public static PayloadCode Deploy(string creation) => new(creation, null);
    public static PayloadCode At(string address) => new(null, address);
}

/// <summary>How payloads reach <c>execute()</c>, by delegatecall either way.</summary>
public abstract record PayloadRoute;

/// <summary>A deployment without governance (the fixtures): our executor, given Executor level 1's roles by the impersonated ACL admin.</summary>
public sealed record FixtureExecutorRoute(string AclManager, string AclAdmin) : PayloadRoute;

/// <summary>A governed deployment: the executor's owner (impersonated) calls <c>executeTransaction(payload, 0, "execute()", "", true)</c>.</summary>
public sealed record GovernanceExecutorRoute(string Executor) : PayloadRoute;

/// <summary>
/// A payload executed on a node: the block it was mined in. Disposing reverts the node to before the payload, turns
/// automine back to what it was and stops impersonating the account that sent the payload's transactions (the ACL
/// admin, or the governance executor's owner).
/// </summary>
public sealed class ExecutedPayload(AnvilRpc rpc, string snapshot, string impersonated, bool automine, long block) : IAsyncDisposable
{
    private bool _disposed;

    /// <summary>The block holding the executor, the grants, the payloads and their execution.</summary>
    public long Block { get; } = block;
    public string ExecutorAddress { get; internal set; } = "";
    public IReadOnlyList<string> PayloadAddresses { get; internal set; } = [];

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        var reverted = (await rpc.CallAsync("evm_revert", snapshot).ConfigureAwait(false)).GetBoolean();
        await rpc.CallAsync("anvil_stopImpersonatingAccount", impersonated).ConfigureAwait(false);
        await rpc.CallAsync("evm_setAutomine", automine).ConfigureAwait(false);
        if (!reverted) throw new DefiRiskException("evm_revert refused the review's snapshot: the node may keep the payload's changes", ExitCodes.ChainError);
    }
}

/// <summary>The few anvil calls the executor makes, on a node known only by its URL (the review's <c>--rpc</c>).</summary>
internal sealed class NodeCalls(AnvilRpc rpc)
{
    public AnvilRpc Rpc => rpc;
    public async Task<string> SnapshotAsync() => (await rpc.CallAsync("evm_snapshot").ConfigureAwait(false)).GetString()!;
    public Task ImpersonateAsync(string address) => rpc.CallAsync("anvil_impersonateAccount", address);
    public Task SetBalanceAsync(string address, System.Numerics.BigInteger wei) => rpc.CallAsync("anvil_setBalance", address, AnvilRpc.Hex(wei));
    public Task SetAutomineAsync(bool enabled) => rpc.CallAsync("evm_setAutomine", enabled);
    public async Task<int> CodeSizeAsync(string address) =>
        ((await rpc.CallAsync("eth_getCode", address, "latest").ConfigureAwait(false)).GetString()!.Length - 2) / 2;
    public async Task<string?> TryCallAsync(string to, string data)
    {
        var outcome = (await rpc.TryBatchAsync([("eth_call", [new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest"])]).ConfigureAwait(false))[0];
        return outcome.Error is null ? outcome.Result.GetString() : null;
    }
    public Task MineAsync(long timestamp) => rpc.CallAsync("evm_mine", new Dictionary<string, object> { ["timestamp"] = timestamp });
}
