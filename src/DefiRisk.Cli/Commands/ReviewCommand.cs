using System.CommandLine;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk review --rpc URL --deployments FILE --payload FILE.sol … (--shock …|--path FILE)</c>: executes governance
/// payloads written in Solidity on the node the way governance would (issue 14), reads the post-payload state with the
/// indexer, and reviews it against the pre-payload snapshot: the parameter diff, who the change alone makes liquidatable
/// at today's prices, and the same scenario on both sides. The node is put back (<c>evm_revert</c>) before anything is
/// written.
/// </summary>
internal static class ReviewCommand
{
    internal sealed record ReviewRequest(string Rpc, string DeploymentsFile, IReadOnlyList<string> Payloads, IReadOnlyList<string> Shocks, string? PathFile,
        int StressPaths = 0, string? StressHistory = null);

    /// <summary>Without <c>--stress-history</c>, the baseline is indexed with this many days of oracle rounds for <c>--stress-paths</c>.</summary>
    internal const int StressHistoryDays = 30;

    /// <summary>The review's JSON: the keys issue 14 names, plus the blocks read.</summary>
    internal sealed record ReviewResult(
        string Scenario,
        IReadOnlyList<string> Payloads,
        long BaselineBlock,
        long ProposalBlock,
        IReadOnlyList<RiskParameterChange> ParameterDiff,
        LiquidatedByChangeResult LiquidatedByChange,
        CascadeSummary Baseline,
        CascadeSummary Proposal,
        CascadeDifference Difference)
    {
        /// <summary>Value at risk before and after the payload on the same paths (<c>--stress-paths N</c>); absent unless asked for.</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public Core.Stress.StressResult? Stress { get; init; }
    }

    public static Command Create()
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC URL of an anvil node (the review reverts it afterwards)", Required = true };
        var deployments = new Option<string>("--deployments") { Description = "deployments manifest of the node (a fixture's manifest.json)", Required = true };
        var payload = new Option<string[]>("--payload") { Description = "payload source FILE.sol or FILE.sol:Name (repeatable: executed in the given order)", Required = true };
        var shock = new Option<string[]>("--shock") { Description = ScenarioInput.ShockDescription, AllowMultipleArgumentsPerToken = true };
        var path = new Option<string?>("--path") { Description = ScenarioInput.PathDescription };
        var json = Json.Option("the review");
        var (stressPaths, stressHistory) = StressCommand.AlongsideOptions();
        var report = ReportOption.Create();
        var command = new Command("review", "Execute Solidity governance payloads on a node, diff the parameters, list who they liquidate, and compare a scenario before and after.")
            { rpc, deployments, payload, shock, path, json, stressPaths, stressHistory, report };
        command.SetAction(async (parse, ct) =>
        {
            var jsonPath = parse.GetValue(json);
            if (jsonPath is not null) OutputFile.Check(jsonPath, "--json");
            var reportPath = parse.GetValue(report);
            if (reportPath is not null) OutputFile.Check(reportPath, "--report");
            var (result, input) = await RunWithReportAsync(new ReviewRequest(parse.GetValue(rpc)!, parse.GetValue(deployments)!, parse.GetValue(payload) ?? [],
                parse.GetValue(shock) ?? [], parse.GetValue(path),
                parse.GetValue(stressPaths) is { } sp ? SnapshotSource.ParseInt(sp, "--stress-paths", 1) : 0, parse.GetValue(stressHistory)), ct);
            if (jsonPath is not null) Json.Write(result, jsonPath);
            if (reportPath is not null) ReportOption.Write(reportPath, input, jsonPath == "-");
            if (jsonPath != "-")
            {
                Console.WriteLine($"payload block {result.ProposalBlock} (baseline {result.BaselineBlock}): {result.ParameterDiff.Count} parameters changed; " +
                                  $"liquidated at today's prices by this change: {result.LiquidatedByChange.Count} positions, ${result.LiquidatedByChange.DebtUsd:N0} of debt");
                Console.WriteLine($"{result.Scenario}: bad debt ${result.Baseline.BadDebtUsd:N0} → ${result.Proposal.BadDebtUsd:N0}, liquidated ${result.Baseline.LiquidatedValueUsd:N0} → ${result.Proposal.LiquidatedValueUsd:N0}");
                if (result.Stress is { Proposal: { } ps, Difference: { } d } st)
                    Console.WriteLine($"value at risk on {st.Paths:N0} common paths: bad debt VaR99 ${st.Baseline.Statistics.BadDebtVar99:N0} → ${ps.Statistics.BadDebtVar99:N0}, 95% CI of the difference [${d.Low95:N0}, ${d.High95:N0}]: {d.Verdict}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<ReviewResult> RunAsync(ReviewRequest request, CancellationToken ct) => (await RunWithReportAsync(request, ct)).Result;

    /// <summary>The review and the report of it (the same figures: the scenario both ways and, when asked, value at risk).</summary>
    internal static async Task<(ReviewResult Result, Reporting.ReportInput Report)> RunWithReportAsync(ReviewRequest request, CancellationToken ct)
    {
        if (request.StressHistory is not null) InputFile.Require(request.StressHistory, "--stress-history");
        InputFile.Require(request.DeploymentsFile, "deployments file");
        if (request.Shocks.Count == 0 && request.PathFile is null) throw new DefiRiskException("no scenario: use --shock WETH=-30% or --path FILE");
        var manifest = DeploymentManifest.Load(request.DeploymentsFile);
        // Compile first: a payload that does not compile stops the review before the node is touched.
        var prepared = await GovernancePayloads.PrepareAsync(manifest, request.Payloads, ct);

        var settings = AppSettings.Load();
        var temp = Directory.CreateTempSubdirectory("defirisk-review-").FullName;
        try
        {
            var before = Path.Combine(temp, "baseline.db");
            var after = Path.Combine(temp, "proposal.db");
            await Index(before, request.StressPaths > 0 && request.StressHistory is null ? StressHistoryDays : 0);
            using (var rpc = new AnvilRpc(request.Rpc))
            {
                await using var executed = await GovernancePayloads.ExecuteAsync(rpc, manifest, prepared, ct);
                await Index(after, 0);
            }
            var baseline = new SnapshotStore(before).Load();
            var proposal = new SnapshotStore(after).Load();
            var scenario = ScenarioInput.From(request.Shocks, request.PathFile, baseline);
            var options = settings.SimulationDefaults();
            var b = CascadeSimulator.Simulate(baseline, scenario, options);
            var p = CascadeSimulator.Simulate(proposal, scenario, options);
            var name = string.Join(" + ", prepared.Select(x => x.Name));
            var compared = ComparisonResult.Create(name, [], baseline, b, p);
            var changes = RiskParameters.Changes(baseline, proposal);
            var liquidated = LiquidatedByChange.Compute(baseline, proposal);
            // The same paths on the state before and after the payload (common random numbers), fitted to the baseline's history.
            var stress = request.StressPaths > 0 ? StressCommand.RunAlongside(baseline, (name, proposal), request.StressPaths, request.StressHistory, options) : null;
            var result = new ReviewResult(compared.Scenario, prepared.Select(x => x.Name).ToList(), baseline.Chain.BlockNumber, proposal.Chain.BlockNumber,
                changes, liquidated, compared.Baseline, compared.Proposal, compared.Difference) { Stress = stress };
            var input = ReportOption.Input(baseline, options, $"Payload review: {name}") with
            {
                Simulation = new Reporting.SimulationReport(compared.Scenario, b),
                Comparison = new Reporting.ComparisonReport(compared.Scenario, name, "governance payload(s) executed on the node", [], b, p)
                {
                    ParameterChanges = changes,
                    LiquidatedByChange = liquidated,
                },
                ProposalSnapshot = proposal,
                Stress = stress,
            };
            return (result, input);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { /* best effort */ }
        }

        Task Index(string db, int historyDays) => IndexCommand.RunAsync(new IndexCommand.IndexRequest(request.Rpc, db, request.DeploymentsFile, IndexCommand.ParseBlock("latest"), historyDays),
            settings, settings.RpcLimits(), null, ct);
    }
}
