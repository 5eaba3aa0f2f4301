using System.CommandLine;
using System.Diagnostics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Registry;
using DefiRisk.Harness;
using DefiRisk.Reporting;
using DefiRisk.Storage;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk review --rpc URL --deployments FILE --payload FILE.sol|0xADDRESS … (--shock …|--path FILE)</c>: executes
/// governance payloads on the node the way governance would (issue 14) — through the deployment's governance executor,
/// its owner impersonated, on a governed deployment (a mainnet fork); through our executor given Executor level 1's roles
/// on a fixture — reads the post-payload state with the indexer, and reviews it against the pre-payload snapshot through
/// <c>compare</c>'s pipeline: the parameter diff, who the change alone makes liquidatable at today's prices, the same
/// scenario (and sweep) on both sides. The node is put back (<c>evm_revert</c>) before anything is written.
/// </summary>
internal static class ReviewCommand
{
    internal sealed record ReviewRequest(string Rpc, string DeploymentsFile, IReadOnlyList<string> Payloads, IReadOnlyList<string> Shocks, string? PathFile,
        CompareCommand.SweepSpec? Sweep = null, SimulationOptions? Options = null, bool Fractions = false, int StressPaths = 0, string? StressHistory = null);

    /// <summary>Without <c>--stress-history</c>, the baseline is indexed with this many days of oracle rounds for <c>--stress-paths</c>.</summary>
    internal const int StressHistoryDays = 30;

    /// <summary>
    /// The review's JSON: the keys issue 14 names (<c>parameterDiff</c>, <c>liquidatedByChange</c>, <c>baseline</c>,
    /// <c>proposal</c>, <c>difference</c>), compare's <c>verdicts</c> and <c>sweep</c>, the blocks read and the post-payload
    /// block's hash (the block is reverted afterwards: the hash identifies the state reviewed, not one the node keeps).
    /// </summary>
    internal sealed record ReviewResult(
        string Scenario,
        IReadOnlyList<string> Payloads,
        string ExecutedBy,
        long BaselineBlock,
        long ProposalBlock,
        string ProposalBlockHash,
        IReadOnlyList<RiskParameterChange> ParameterDiff,
        LiquidatedByChangeResult LiquidatedByChange,
        CascadeSummary Baseline,
        CascadeSummary Proposal,
        CascadeDifference Difference,
        IReadOnlyList<MetricVerdict>? Verdicts = null,
        ComparisonSweep? Sweep = null)
    {
        /// <summary>Value at risk before and after the payload on the same paths (<c>--stress-paths N</c>); absent unless asked for.</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public Core.Stress.StressResult? Stress { get; init; }
    }

    /// <summary>A finished review with what it ran on, for the report.</summary>
    internal sealed record ReviewRun(ReviewResult Result, CompareCommand.CompareRun Compare, string ExecutedBy);

    public static Command Create(IAnsiConsole? console = null)
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC URL of an anvil node or mainnet fork (the review reverts it afterwards)", Required = true };
        var deployments = new Option<string>("--deployments") { Description = "deployments manifest of the node (a fixture's manifest.json, or one naming a governance executor)", Required = true };
        var payload = new Option<string[]>("--payload", "--payload-address")
        {
            Description = "payload source FILE.sol or FILE.sol:Name, or the address 0x… of a deployed payload (repeatable: executed in the given order)",
            Required = true,
        };
        var input = new ComparisonInput("the review", "the post-payload result");
        var command = new Command("review", "Execute governance payloads (Solidity source or deployed address) on a node as governance would, diff the parameters, list who they liquidate, and compare a scenario before and after.") { rpc, deployments, payload };
        input.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var output = console ?? AnsiConsole.Console;
            // Parse everything first: a malformed limit, unit or output path stops the review before the node is touched.
            var conditions = input.Conditions(parse);
            var sweep = input.Sweep(parse);
            var jsonPath = parse.GetValue(input.Json);
            if (jsonPath is not null) OutputFile.Check(jsonPath, "--json");
            var reportPath = parse.GetValue(input.Report);
            if (reportPath is not null) OutputFile.Check(reportPath, "--report");
            var quietOutput = parse.GetValue(input.Quiet) || jsonPath == "-";
            var request = new ReviewRequest(parse.GetValue(rpc)!, parse.GetValue(deployments)!, parse.GetValue(payload) ?? [],
                parse.GetValue(input.Shock) ?? [], parse.GetValue(input.PathFile), sweep, input.Assumptions.Read(parse).Options(), parse.GetValue(input.Fractions),
                input.Paths(parse), parse.GetValue(input.StressHistory));

            var clock = Stopwatch.StartNew();
            var run = await ExecuteAsync(request, output, quietOutput, ct);
            var result = run.Result;
            if (jsonPath is not null) Json.Write(result, jsonPath);
            if (reportPath is not null) ReportOption.Write(reportPath, Report(run), quietOutput);
            if (!quietOutput)
            {
                Console.WriteLine($"payload block {result.ProposalBlock} (baseline {result.BaselineBlock}), executed by {result.ExecutedBy}: {result.ParameterDiff.Count} parameters changed");
                CompareCommand.Render(output, run.Compare.Result, run.Compare.Stress, clock.Elapsed);
            }
            var crossed = conditions.Where(c => RiskCondition.Crossed(c, result.Proposal)).ToList();
            foreach (var c in crossed)
                Console.Error.WriteLine($"risk limit crossed after the payload: {string.Join(" && ", c.Select(x => $"{x.Text} ({x.Metric} = {result.Proposal.Metric(x.Metric) ?? 0:#,0.##})"))}");
            return crossed.Count > 0 ? ExitCodes.RiskLimitCrossed : ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<ReviewResult> RunAsync(ReviewRequest request, CancellationToken ct) =>
        (await ExecuteAsync(request, null, true, ct)).Result;

    internal static async Task<ReviewRun> ExecuteAsync(ReviewRequest request, IAnsiConsole? console, bool quiet, CancellationToken ct)
    {
        if (request.StressHistory is not null) InputFile.Require(request.StressHistory, "--stress-history");
        InputFile.Require(request.DeploymentsFile, "deployments file");
        if (request.Shocks.Count == 0 && request.PathFile is null && request.Sweep is null)
            throw new DefiRiskException("no scenario: use --shock WETH=-30%, --path FILE or --sweep-asset WETH");
        if (request.Payloads.Count == 0) throw new DefiRiskException("no payload: use --payload FILE.sol or --payload-address 0x…");
        var manifest = DeploymentManifest.Load(request.DeploymentsFile);
        // Compile first: a payload that does not compile stops the review before the node is touched.
        var prepared = await GovernancePayloads.PrepareAsync(manifest, request.Payloads, ct);
        var executedBy = GovernancePayloads.Route(manifest) switch
        {
            GovernanceExecutorRoute g => $"governance executor {g.Executor} (its owner impersonated, executeTransaction with delegatecall)",
            _ => "the review's executor holding POOL_ADMIN and RISK_ADMIN (the deployment has no governance), by delegatecall",
        };

        var settings = AppSettings.Load();
        var temp = Directory.CreateTempSubdirectory("defirisk-review-").FullName;
        try
        {
            var before = Path.Combine(temp, "baseline.db");
            var after = Path.Combine(temp, "proposal.db");
            await Index(before, request.StressPaths > 0 && request.StressHistory is null ? StressHistoryDays : 0);
            var (hash, _) = await ExecuteAndReadAsync(request.Rpc, manifest, prepared, () => Index(after, 0), ct);
            var baseline = new SnapshotStore(before).Load();
            var proposalSnapshot = new SnapshotStore(after).Load();
            Scenario scenario;
            if (request.PathFile is not null || request.Shocks.Count > 0) scenario = ScenarioInput.From(request.Shocks, request.PathFile, baseline, request.Fractions);
            else scenario = ScenarioParser.Parse([$"{request.Sweep!.Asset}={-request.Sweep.ToPercent}%"], baseline);
            var options = request.Options ?? settings.SimulationDefaults();
            var name = string.Join(" + ", prepared.Select(x => x.Name));
            var proposal = new Proposal(name, $"Solidity payload{(prepared.Count > 1 ? "s" : "")} {name}, executed at block {proposalSnapshot.Chain.BlockNumber} by {executedBy}", [], BreakerSettings.None);
            // The payload's world carries no breakers or options of its own: the same simulation options on both sides.
            var compared = CompareCommand.WithProgress(console ?? AnsiConsole.Console, quiet || request.Sweep is null, "review",
                progress => CompareCommand.Worlds(baseline, proposalSnapshot, proposal, [], scenario, options, options, request.Sweep, progress, null));
            // The same paths on the state before and after the payload (common random numbers), fitted to the baseline's history.
            compared = CompareCommand.WithStress(compared, request.StressPaths, request.StressHistory);
            var r = compared.Result;
            var result = new ReviewResult(r.Scenario, prepared.Select(x => x.Name).ToList(), executedBy, baseline.Chain.BlockNumber, proposalSnapshot.Chain.BlockNumber, hash,
                r.ParameterChanges ?? [], r.LiquidatedByChange!, r.Baseline, r.Proposal, r.Difference, r.Verdicts, r.Sweep) { Stress = compared.Stress };
            return new ReviewRun(result, compared, executedBy);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { /* best effort */ }
        }

        Task Index(string db, int historyDays) => IndexCommand.RunAsync(new IndexCommand.IndexRequest(request.Rpc, db, request.DeploymentsFile, IndexCommand.ParseBlock("latest"), historyDays),
            settings, settings.RpcLimits(), null, ct);
    }

    /// <summary>
    /// The review's chain part after the baseline: execute the payloads, <paramref name="readAfter"/> the post-payload
    /// state, put the node back. Returns the payload block's hash and the addresses whose code the review deployed itself
    /// (the fixture route's executor, payloads compiled from source) — <c>fixture capture --payload</c> leaves those out.
    /// </summary>
    internal static async Task<(string Hash, IReadOnlyList<string> DeployedByReview)> ExecuteAndReadAsync(string rpcUrl, DeploymentManifest manifest,
        IReadOnlyList<PreparedPayload> prepared, Func<Task> readAfter, CancellationToken ct)
    {
        using var rpc = new AnvilRpc(rpcUrl);
        await using var executed = await GovernancePayloads.ExecuteAsync(rpc, manifest, prepared, ct);
        var hash = (await rpc.CallAsync("eth_getBlockByNumber", AnvilRpc.Hex(executed.Block), false)).GetProperty("hash").GetString()!;
        await readAfter();
        var deployed = new List<string>();
        if (GovernancePayloads.Route(manifest) is FixtureExecutorRoute) deployed.Add(executed.ExecutorAddress);
        deployed.AddRange(prepared.Zip(executed.PayloadAddresses).Where(p => p.First.Code.Address is null).Select(p => p.Second));
        return (hash, deployed);
    }

    /// <summary>compare's report for the payload's world, with what the review assumed about how it got there.</summary>
    internal static ReportInput Report(ReviewRun run)
    {
        var c = run.Compare;
        var input = CompareCommand.Report(c) with { Title = $"Payload review: {c.Proposal.Name}", ProposalSnapshot = c.ProposalSnapshot };
        return input with
        {
            Assumptions =
            [
                .. input.Assumptions,
                new Assumption("Payload execution",
                    $"the payloads ran in the given order, all in block {run.Result.ProposalBlock} mined at the snapshot's timestamp, executed by {run.ExecutedBy}; " +
                    "the proposal side is the chain state read back at that block, so interest indexes and oracle prices are the snapshot's. " +
                    "On a mainnet fork this is what the payload does if it executes right after the snapshot block with no other transaction in between; " +
                    "payloads queued before it are not executed unless given first."),
                new Assumption("Node", "the review reverted the node (evm_revert) and stopped impersonating afterwards: the post-payload block and hash exist only in this report"),
            ],
        };
    }
}
