using System.Diagnostics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Harness.Capture;

/// <param name="Rpc">The node to capture (an auditor's fork, a provider).</param>
/// <param name="Deployments">Where the protocols live, as for <c>index</c>.</param>
/// <param name="Block">The block to capture; every read is pinned to it.</param>
/// <param name="OutDirectory">Must not exist or be empty; appears only when the capture is complete.</param>
/// <param name="Review">
/// A payload review's chain part (execute the payloads, read the post-payload state, revert), run after the index
/// against the URL it is given (the recording proxy); it returns the addresses whose code the review deployed itself
/// (its executor, payloads compiled from source), which the capture leaves out. Null: capture the index only.
/// </param>
/// <param name="PriceHistoryDays">0: none; else the index also reads each market feed's oracle rounds over that many days, as
/// <c>index --price-history-days</c> does, so <c>stress</c> fits to the same rounds offline.</param>
public sealed record ForkCaptureRequest(string Rpc, DeploymentManifest Deployments, string DeploymentsSource, long Block, string OutDirectory,
    RpcOptions? Options = null, Func<string, CancellationToken, Task<IReadOnlyList<string>>>? Review = null, int PriceHistoryDays = 0);

/// <summary>What a capture wrote, with the figures the verb prints.</summary>
public sealed record ForkCaptureResult(string Directory, long ChainId, long Block, long Timestamp, string BlockHash,
    int Accounts, int Contracts, int StorageSlots, long CodeBytes, long StateBytes,
    int Positions, int DiscoveredAccounts, long EthCalls, long Traces, TimeSpan Elapsed, IReadOnlyList<IndexWarning> Warnings, long ReviewTransactions = 0);

/// <summary>
/// <c>defirisk fixture capture</c>: index a node at one block through a <see cref="CaptureProxy"/>, which records every
/// account, code and storage slot the index reads, then write a fixture a bare anvil serves offline: <c>state.json</c>
/// (anvil's state format: <c>anvil --load-state state.json --chain-id ID</c>) and <c>manifest.json</c> (the deployments,
/// the block, and a <c>capture</c> key with the block's timestamp and hash and the discovered borrowers and markets, which
/// the indexer takes instead of scanning logs — a state file carries none). A state dump of a fork would not do: it holds
/// only the accounts the fork wrote, not the ones it merely read from its origin.
/// <para>
/// What the capture holds is exactly what this index read. Reading anything else from the loaded state (another account,
/// another slot, another block) sees zero or fails; so does an index whose reads differ (another release of DefiRisk that
/// reads more, other options).
/// </para>
/// </summary>
public static class ForkCapture
{
    public const string StateFile = "state.json";

    public static async Task<ForkCaptureResult> CaptureAsync(ForkCaptureRequest request, IProgress<IndexProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var target = CheckOutput(request.OutDirectory);
        var manifest = request.Deployments;
        if (request.Block < 0) throw new DefiRiskException($"--block {request.Block} is not a block number");

        // Ask the node directly first: an unreachable node, another chain or a block it has not reached fail here, before
        // anything is recorded, naming the node rather than the proxy.
        using var direct = new EthRpc(request.Rpc, request.Options);
        var chainId = await direct.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != manifest.ChainId)
            throw new DefiRiskException($"chain id {chainId} of {direct.DisplayUrl} does not match deployments file {request.DeploymentsSource} ({manifest.ChainId})", ExitCodes.ChainError);
        var head = await direct.BlockNumberAsync(ct).ConfigureAwait(false);
        if (request.Block > head)
            throw new DefiRiskException($"--block {request.Block} is after the head of {direct.DisplayUrl} (block {head})");
        // A review executes its payloads on the node's head: the captured block must be that head.
        if (request.Review is not null && request.Block != head)
            throw new DefiRiskException($"--payload: a review runs on the head of {direct.DisplayUrl} (block {head}), so --block must be {head}, not {request.Block}");

        await using var proxy = CaptureProxy.Start(new Uri(request.Rpc));
        var tag = EthRpc.Hex(request.Block);
        // A node without the tracer (most providers keep the debug namespace off) fails here, in one request, not after the index.
        try
        {
            await proxy.CallUpstreamAsync("debug_traceCall",
                [new JsonObject { ["to"] = "0x0000000000000000000000000000000000000000", ["data"] = "0x" }, tag, new JsonObject { ["tracer"] = "prestateTracer" }], ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CaptureRpcException or HttpRequestException or System.Text.Json.JsonException)
        {
            throw new DefiRiskException($"{direct.DisplayUrl} does not answer debug_traceCall with the prestateTracer ({ex.Message}): capture an anvil fork of it instead", ExitCodes.ChainError, ex);
        }
        using var rpc = new EthRpc(proxy.Url, request.Options);
        var discovery = new MemoryDiscoveryStore();
        IndexResult run;
        try
        {
            run = await new Indexer(rpc, discovery, progress).IndexAsync(manifest, request.DeploymentsSource, request.Block, ct).ConfigureAwait(false);
            if (request.PriceHistoryDays > 0)
                await new OracleHistoryReader(rpc, progress).ReadAsync(run.Snapshot, request.PriceHistoryDays * 86_400L, ct).ConfigureAwait(false);
        }
        catch (DefiRiskException ex)
        {
            throw new DefiRiskException(ex.Message.Replace(rpc.DisplayUrl, direct.DisplayUrl, StringComparison.Ordinal), ex.ExitCode, ex);
        }
        if (proxy.Failure is { } failure)
            throw new DefiRiskException($"cannot capture {direct.DisplayUrl}: {failure}", ExitCodes.ChainError);
        if (proxy.BlockTags.FirstOrDefault(t => t != tag) is { } other)
            throw new DefiRiskException($"the index read block {other}, not the captured block {tag}: the capture would not hold it", ExitCodes.ChainError);
        if (proxy.Traces == 0)
            throw new DefiRiskException($"the index of {direct.DisplayUrl} made no eth_call to trace: nothing to capture", ExitCodes.ChainError);
        if (request.Review is { } review)
        {
            IReadOnlyList<string> deployedByTool;
            try
            {
                deployedByTool = await review(proxy.Url, ct).ConfigureAwait(false);
            }
            catch (DefiRiskException ex)
            {
                throw new DefiRiskException(ex.Message.Replace(rpc.DisplayUrl, direct.DisplayUrl, StringComparison.Ordinal), ex.ExitCode, ex);
            }
            if (proxy.Failure is { } reviewFailure)
                throw new DefiRiskException($"cannot capture the review on {direct.DisplayUrl}: {reviewFailure}", ExitCodes.ChainError);
            if (proxy.Unmined.Count > 0)
                throw new DefiRiskException($"the review sent {proxy.Unmined.Count} transaction(s) never mined while it ran (first {proxy.Unmined[0]}): the capture cannot trace them", ExitCodes.ChainError);
            // Code the tool brought (its executor, a payload it compiled) is not the chain's: the offline review deploys it again, at the same address.
            foreach (var address in deployedByTool) proxy.State.Remove(address);
        }

        JsonObject block;
        try
        {
            block = await proxy.CallUpstreamAsync("eth_getBlockByNumber", [tag, false], ct).ConfigureAwait(false) as JsonObject
                ?? throw new DefiRiskException($"block {request.Block} does not exist on {direct.DisplayUrl}", ExitCodes.ChainError);
        }
        catch (CaptureRpcException ex)
        {
            throw new DefiRiskException($"RPC {direct.DisplayUrl} {ex.Message}", ExitCodes.ChainError, ex);
        }
        var timestamp = run.Snapshot.Chain.BlockTimestamp;
        var hash = block["hash"]?.GetValue<string>() ?? "";
        // Capturing a capture: its discovery came from its manifest, not from a scan this run recorded.
        var facts = new CaptureFacts(timestamp, hash, direct.DisplayUrl, manifest.Capture?.Discovery ?? discovery.Export(chainId));
        // The fixture facts ride along: a review of a fixture's capture runs its payloads as the fixture's admin, as on the original.
        var captured = new DeploymentManifest { ChainId = chainId, Block = request.Block, Sections = manifest.Sections, Fixture = manifest.Fixture, Capture = facts };
        DeploymentManifest.Parse(captured.ToJson(), "the capture's manifest"); // what the indexer will read back must parse

        var stateBytes = WriteAtomically(target, temp =>
        {
            var statePath = Path.Combine(temp, StateFile);
            using (var output = File.Create(statePath)) proxy.State.Write(output, block);
            captured.Save(Path.Combine(temp, FixtureServer.ManifestFile));
            return new FileInfo(statePath).Length;
        });
        var state = proxy.State;
        return new ForkCaptureResult(target, chainId, request.Block, timestamp, hash, state.Accounts, state.Contracts, state.StorageSlots, state.CodeBytes,
            stateBytes, run.Snapshot.PositionCount, run.DiscoveredAccounts, run.EthCalls, proxy.Traces, clock.Elapsed, run.Warnings, proxy.Transactions);
    }

    /// <summary>The full path of <paramref name="directory"/>, which must be absent or empty (a capture never mixes with other files).</summary>
    private static string CheckOutput(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full)) throw new DefiRiskException($"--out {directory} is a file");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new DefiRiskException($"--out {directory} exists and is not empty");
        return full;
    }

    /// <summary>Writes into a scratch directory beside <paramref name="target"/> and renames it into place: no half-written capture is ever visible.</summary>
    private static T WriteAtomically<T>(string target, Func<string, T> write)
    {
        var parent = Path.GetDirectoryName(target) ?? throw new DefiRiskException($"--out {target} has no parent directory");
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.capture-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var result = write(temp);
            if (Directory.Exists(target)) Directory.Delete(target); // empty, checked at the start
            Directory.Move(temp, target);
            return result;
        }
        finally
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }
            catch (IOException) { /* best effort: the scratch directory's name says what it is */ }
        }
    }
}
