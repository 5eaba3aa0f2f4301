using System.CommandLine;
using System.Globalization;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;
using DefiRisk.Harness;
using DefiRisk.Harness.Capture;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk fixture capture --rpc URL --deployments FILE --block N --out DIR</c>: index a node at one block and keep
/// every account, code and storage slot the index read, as a fixture a bare anvil serves offline (<see cref="ForkCapture"/>).
/// </summary>
internal static class FixtureCaptureCommand
{
    public static Command Create()
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC endpoint to capture; it must answer debug_traceCall with the prestateTracer (anvil, a fork of anything).", Required = true };
        var deployments = new Option<string>("--deployments") { Description = "deployments manifest, as for `index`.", Required = true };
        var block = new Option<string>("--block") { Description = "block to capture (a number).", Required = true };
        var outDir = new Option<string>("--out") { Description = "directory to create with state.json (anvil --load-state) and manifest.json (`index --deployments`); must be absent or empty.", Required = true };
        var payload = new Option<string[]>("--payload", "--payload-address")
        {
            Description = "also capture what `review` reads with these payloads (as review takes them: FILE.sol, FILE.sol:Name or 0x…; repeatable), so the same review reruns offline on the capture",
        };
        var priceHistory = new Option<string?>("--price-history-days")
        {
            Description = "also capture each market feed's oracle rounds over this many days before the block (what `index --price-history-days` reads), so `stress` fits to them offline",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print nothing but errors and the result" };
        var json = Json.Option("the result");
        var command = new Command("capture", "Index a node at one block and save what the index read as a fixture a bare anvil serves offline.")
            { rpc, deployments, block, outDir, payload, priceHistory, quiet, json };
        command.SetAction(async (parse, ct) =>
        {
            var settings = AppSettings.Load();
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            var file = parse.GetValue(deployments)!;
            var manifest = DeploymentManifest.Load(file);
            var number = SnapshotSource.ParseBlock(parse.GetValue(block))!.Value;
            var payloads = parse.GetValue(payload) ?? [];
            var historyDays = parse.GetValue(priceHistory) is { } days ? SnapshotSource.ParseInt(days, "--price-history-days", 1) : 0;
            // Compiled first, as review does: a payload that does not compile stops before the node is touched.
            var prepared = payloads.Length == 0 ? null : await GovernancePayloads.PrepareAsync(manifest, payloads, ct);
            var request = new ForkCaptureRequest(parse.GetValue(rpc)!, manifest, file, number, parse.GetValue(outDir)!, settings.RpcLimits(),
                prepared is null ? null : (url, token) => ReviewChainPartAsync(url, file, manifest, prepared, settings, token), historyDays);
            var quietRun = parse.GetValue(quiet) || jsonTarget == "-";
            var r = await ConsoleProgress.RunAsync(quietRun, progress => ForkCapture.CaptureAsync(request, progress, ct));
            if (jsonTarget is not null)
                Json.Write(new
                {
                    directory = r.Directory, chainId = r.ChainId, block = r.Block, blockTimestamp = r.Timestamp, blockHash = r.BlockHash,
                    accounts = r.Accounts, contracts = r.Contracts, storageSlots = r.StorageSlots, codeBytes = r.CodeBytes, stateBytes = r.StateBytes,
                    positions = r.Positions, discoveredAccounts = r.DiscoveredAccounts, ethCalls = r.EthCalls, traces = r.Traces, reviewTransactions = r.ReviewTransactions,
                    seconds = Math.Round(r.Elapsed.TotalSeconds, 3),
                }, jsonTarget);
            IndexCommand.PrintWarnings(r.Warnings, Console.Error);
            if (jsonTarget == "-") return ExitCodes.Ok;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"captured chain {r.ChainId} at block {r.Block} ({r.Positions} positions, {r.DiscoveredAccounts} discovered accounts): " +
                $"{r.Accounts} accounts ({r.Contracts} with code, {r.CodeBytes / 1024.0:0} KiB), {r.StorageSlots} storage slots, " +
                $"state {r.StateBytes / 1024.0:0} KiB; {r.EthCalls} eth_calls traced in {r.Traces} traces{(r.ReviewTransactions > 0 ? $" (the review's {r.ReviewTransactions} transactions included)" : "")}, " +
                $"{r.Elapsed.TotalSeconds:0.0} s → {r.Directory}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// What <c>review</c> does on the node after its baseline index (which the capture's own index already read): the
    /// payloads executed as review executes them, the post-payload state indexed as review indexes it, the node reverted.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ReviewChainPartAsync(string url, string deploymentsFile, DeploymentManifest manifest,
        IReadOnlyList<PreparedPayload> prepared, AppSettings settings, CancellationToken ct)
    {
        var temp = Directory.CreateTempSubdirectory("defirisk-capture-review-").FullName;
        try
        {
            var after = Path.Combine(temp, "proposal.db");
            var (_, deployed) = await ReviewCommand.ExecuteAndReadAsync(url, manifest, prepared,
                () => IndexCommand.RunAsync(new IndexCommand.IndexRequest(url, after, deploymentsFile, IndexCommand.ParseBlock("latest")), settings, settings.RpcLimits(), null, ct), ct);
            return deployed;
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { /* best effort */ }
        }
    }
}
