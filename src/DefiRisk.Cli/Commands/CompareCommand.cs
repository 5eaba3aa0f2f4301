using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Review;
using DefiRisk.Core.Stress;
using ComparisonReport = DefiRisk.Reporting.ComparisonReport;
using DefiRisk.Core.Registry;
using ProposalLines = DefiRisk.Reporting.ProposalLines;
using ReportInput = DefiRisk.Reporting.ReportInput;
using SimulationReport = DefiRisk.Reporting.SimulationReport;
using SweepReport = DefiRisk.Reporting.SweepReport;
using DefiRisk.Storage;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk compare --db PATH --proposal FILE (--shock WETH=-30% … | --path FILE)</c>: the same scenario on the
/// indexed baseline and on the proposal's world (its risk parameters applied to the snapshot, its breakers and oracle
/// delay and close factor in the simulation), side by side with the difference. <c>--sweep-asset</c> adds bad debt and
/// liquidated value against shock size for both. <see cref="Run"/> does the work and is reused by report writers.
/// </summary>
internal static class CompareCommand
{
    /// <summary>A sweep of drops of <see cref="Asset"/> from <see cref="FromPercent"/> to <see cref="ToPercent"/> (percent, 30 = −30 %).</summary>
    internal sealed record SweepSpec(string Asset, decimal FromPercent, decimal ToPercent, decimal StepPercent);

    internal sealed record CompareRequest(string Db, string ProposalFile, IReadOnlyList<string> Shocks, string? PathFile, SweepSpec? Sweep = null,
        SimulationOptions? Options = null, bool Fractions = false, int StressPaths = 0, string? StressHistory = null);

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = new Option<string?>("--db") { Description = "SQLite database file (default: appsettings.json Database)" };
        var proposal = new Option<string>("--proposal") { Description = "proposal file (JSON; see fixtures/example-proposal.json)", Required = true };
        var input = new ComparisonInput("the comparison", "the proposal's result");
        var command = new Command("compare", "Run a scenario on the baseline and on a proposal side by side (liquidations, bad debt, rounds, chains).") { db, proposal };
        input.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var output = console ?? AnsiConsole.Console;
            var dbPath = parse.GetValue(db) ?? AppSettings.Load().Database ?? throw new DefiRiskException("no --db given and no Database in appsettings.json");
            // Parse everything first: a malformed limit, unit or output path must stop everything before any simulation runs.
            var conditions = input.Conditions(parse);
            var sweep = input.Sweep(parse);
            var jsonPath = parse.GetValue(input.Json);
            if (jsonPath is not null) OutputFile.Check(jsonPath, "--json");
            if (parse.GetValue(input.Report) is { } r) OutputFile.Check(r, "--report");
            var options = input.Assumptions.Read(parse).Options();
            var request = new CompareRequest(dbPath, parse.GetValue(proposal)!, parse.GetValue(input.Shock) ?? [], parse.GetValue(input.PathFile), sweep, options,
                parse.GetValue(input.Fractions), input.Paths(parse), parse.GetValue(input.StressHistory));

            var clock = Stopwatch.StartNew();
            var quietOutput = parse.GetValue(input.Quiet) || jsonPath == "-";
            var run = WithProgress(output, quietOutput, request);
            var result = run.Result;
            var elapsed = clock.Elapsed;

            if (jsonPath is not null) Json.Write(run.ToJson(), jsonPath);
            if (parse.GetValue(input.Report) is { } reportPath)
                ReportOption.Write(reportPath, Report(run), quietOutput);
            if (!quietOutput) Render(output, result, run.Stress, elapsed);

            var crossed = conditions.Where(c => RiskCondition.Crossed(c, result.Proposal)).ToList();
            foreach (var c in crossed)
                Console.Error.WriteLine($"risk limit crossed by the proposal: {string.Join(" && ", c.Select(x => $"{x.Text} ({x.Metric} = {Format(result.Proposal.Metric(x.Metric) ?? 0)})"))}");
            return Task.FromResult(crossed.Count > 0 ? ExitCodes.RiskLimitCrossed : ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>
    /// Runs the comparison; with a sweep (seconds of work), a Spectre progress bar on a terminal, else one milestone line
    /// per level on stderr, as <c>sweep</c> does.
    /// </summary>
    private static CompareRun WithProgress(IAnsiConsole console, bool silent, CompareRequest request) =>
        WithProgress(console, silent || request.Sweep is null, "compare", progress => Execute(request, progress));

    /// <summary>Runs <paramref name="execute"/> with sweep progress (a bar on a terminal, else milestone lines on stderr); none when <paramref name="silent"/>.</summary>
    internal static CompareRun WithProgress(IAnsiConsole console, bool silent, string verb, Func<IProgress<SweepProgress>?, CompareRun> execute)
    {
        if (silent) return execute(null);
        if (!console.Profile.Capabilities.Interactive)
            return execute(new SyncProgress(p => Console.Error.WriteLine($"{verb} sweep: {p.Side} level {p.Done}/{p.Total} done")));
        CompareRun run = null!;
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                run = execute(new SyncProgress(p =>
                {
                    if (!tasks.TryGetValue(p.Side, out var task)) tasks[p.Side] = task = ctx.AddTask($"sweep {p.Side}", maxValue: p.Total);
                    task.Value = p.Done;
                }));
            });
        return run;
    }

    /// <summary>Sweep progress: which side (baseline, proposal), levels done of total.</summary>
    internal readonly record struct SweepProgress(string Side, int Done, int Total);

    /// <summary>Reports on the caller's thread, in order (System.Progress posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<SweepProgress> report) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => report(value);
    }

    /// <summary>A finished comparison with everything it ran on, for reports.</summary>
    internal sealed record CompareRun(
        Snapshot Snapshot, Snapshot ProposalSnapshot, Proposal Proposal, SimulationOptions BaselineOptions, ComparisonResult Result,
        CascadeResult Baseline, CascadeResult Proposed, SweepResult? BaselineSweep, SweepResult? ProposalSweep, StressResult? Stress = null,
        SimulationOptions? ProposalOptions = null)
    {
        /// <summary>The JSON: the comparison, and its value at risk under <c>stress</c> when <c>--stress-paths</c> ran (the engines know nothing of stress).</summary>
        public object ToJson()
        {
            if (Stress is null) return Result;
            var node = System.Text.Json.JsonSerializer.SerializeToNode(Result, Json.Options)!.AsObject();
            node["stress"] = System.Text.Json.JsonSerializer.SerializeToNode(Stress, Json.Options);
            return node;
        }
    }

    /// <summary>Loads, validates (everything before anything runs), simulates baseline and proposal, and compares.</summary>
    internal static ComparisonResult Run(CompareRequest request) => Execute(request).Result;

    internal static CompareRun Execute(CompareRequest request, IProgress<SweepProgress>? progress = null)
    {
        InputFile.Require(request.Db, "database", " (run `defirisk index` first)");
        InputFile.Require(request.ProposalFile, "proposal file");
        var snapshot = new SnapshotStore(request.Db).Load();
        var proposal = CoreRegistry.ParseProposal(File.ReadAllText(request.ProposalFile), request.ProposalFile, snapshot);

        Scenario scenario;
        if (request.PathFile is not null || request.Shocks.Count > 0) scenario = ScenarioInput.From(request.Shocks, request.PathFile, snapshot, request.Fractions);
        else if (request.Sweep is { } only) scenario = ScenarioParser.Parse([$"{only.Asset}={-only.ToPercent}%"], snapshot);
        else throw new DefiRiskException("no scenario: use --shock WETH=-30%, --path FILE or --sweep-asset WETH");

        // No options: the command line's defaults, the market model included.
        var baseOptions = request.Options ?? AppSettings.Load().SimulationDefaults();
        var proposalSnapshot = ProposalApplier.Apply(snapshot, proposal);
        if (proposal.ChangesNothing(snapshot))
            throw new DefiRiskException($"proposal {request.ProposalFile} changes nothing: it sets no breaker and every parameter it names keeps its current value");
        var proposalOptions = ProposalBreakers.Options(baseOptions, proposal, proposalSnapshot);
        var parts = DefiRisk.Reporting.Registry.ReportingRegistry.Parts;
        // What a reviewer reads first: the parameters changed, who is liquidatable at today's prices because of them, and
        // each change's effect alone (one exact cascade per change at this scenario; no sweeps).
        var run = Worlds(snapshot, proposalSnapshot, proposal, ProposalLines.Describe(proposal, snapshot, parts), scenario, baseOptions, proposalOptions, request.Sweep, progress,
            proposed => ProposalAttribution.Run(snapshot, proposal, scenario, baseOptions, part => string.Join("; ", ProposalLines.Describe(part, snapshot, parts)), proposed));
        return WithStress(run, request.StressPaths, request.StressHistory);
    }

    /// <summary>
    /// The comparison proper, shared by <c>compare</c> (the proposal's world is its changes applied to the snapshot) and
    /// <c>review</c> (the world a payload left on the chain, re-indexed): the scenario on both sides, the parameter
    /// changes, who the change alone makes liquidatable at today's prices, and the sweep when asked for.
    /// </summary>
    internal static CompareRun Worlds(Snapshot snapshot, Snapshot proposalSnapshot, Proposal proposal, IReadOnlyList<string> breakers, Scenario scenario,
        SimulationOptions baseOptions, SimulationOptions proposalOptions, SweepSpec? sweep, IProgress<SweepProgress>? progress,
        Func<CascadeResult, IReadOnlyList<AttributionRow>>? attribution)
    {
        var sweepAsset = sweep is { } sw
            ? snapshot.FindAsset(sw.Asset) ?? throw new DefiRiskException($"--sweep-asset '{sw.Asset}' is not in the snapshot")
            : null;
        // Either direction, as sweep: --from 60% --to 0% runs the same levels downwards.
        var levels = sweep is { } sp
            ? CascadeSimulator.Levels(-sp.FromPercent / 100m, -sp.ToPercent / 100m, (sp.ToPercent >= sp.FromPercent ? -sp.StepPercent : sp.StepPercent) / 100m)
            : null;

        var baseline = CascadeSimulator.Simulate(snapshot, scenario, baseOptions);
        var proposed = CascadeSimulator.Simulate(proposalSnapshot, scenario, proposalOptions);
        var result = ComparisonResult.Create(proposal.Name, breakers, snapshot, baseline, proposed) with
        {
            ParameterChanges = RiskParameters.Changes(snapshot, proposalSnapshot),
            LiquidatedByChange = LiquidatedByChange.Compute(snapshot, proposalSnapshot),
            Attribution = attribution?.Invoke(proposed),
        };
        SweepResult? baselineSweep = null, proposalSweep = null;

        if (sweepAsset is not null && levels is not null)
        {
            var b = baselineSweep = SweepLevels(snapshot, sweepAsset, levels, baseOptions, "baseline", progress);
            var p = proposalSweep = SweepLevels(proposalSnapshot, sweepAsset, levels, proposalOptions, "proposal", progress);
            result = result with
            {
                Sweep = new ComparisonSweep(sweepAsset.Symbol, b.Levels.Zip(p.Levels, (x, y) =>
                    new ComparisonSweepLevel(x.Shock, x.BadDebtUsd, y.BadDebtUsd, x.LiquidatedValueUsd, y.LiquidatedValueUsd)).ToList()),
            };
        }
        return new CompareRun(snapshot, proposalSnapshot, proposal, baseOptions, result, baseline, proposed, baselineSweep, proposalSweep,
            ProposalOptions: proposalOptions);
    }

    /// <summary>
    /// The run with value at risk on <paramref name="paths"/> common paths for both worlds (<c>--stress-paths</c>; 0: none),
    /// fitted to <paramref name="history"/> or the snapshot's stored oracle rounds.
    /// </summary>
    internal static CompareRun WithStress(CompareRun run, int paths, string? history)
    {
        if (paths <= 0) return run;
        // The proposal's breakers and oracle delay run on the paths through their fast rules (its options, as the cascade's).
        return run with
        {
            Stress = StressCommand.RunAlongside(run.Snapshot, (run.Proposal.Name, run.ProposalSnapshot), paths, history, run.BaselineOptions, run.ProposalOptions),
        };
    }

    /// <summary>
    /// The sweep one level at a time (each level its own full cascade, the path <see cref="CascadeSimulator.Sweep(Snapshot, Address, decimal, decimal, decimal, SimulationOptions?)"/>
    /// picks), so progress can be reported; the self-sustaining threshold as the simulator computes it.
    /// </summary>
    private static SweepResult SweepLevels(Snapshot snapshot, Asset asset, IReadOnlyList<decimal> levels, SimulationOptions options, string side,
        IProgress<SweepProgress>? progress)
    {
        var results = new List<SweepLevel>(levels.Count);
        var path = "fast";
        for (var i = 0; i < levels.Count; i++)
        {
            var one = CascadeSimulator.Sweep(snapshot, asset.Address, levels[i], levels[i], -0.01m, options);
            path = one.Path;
            results.AddRange(one.Levels);
            progress?.Report(new SweepProgress(side, i + 1, levels.Count));
        }
        var threshold = results.Where(l => l.SelfSustaining).OrderBy(l => Math.Abs(l.Shock)).Select(l => (decimal?)l.Shock).FirstOrDefault();
        return new SweepResult(asset.Address, asset.Symbol, path, results, threshold);
    }

    internal static ReportInput Report(CompareRun run) =>
        ReportOption.Input(run.Snapshot, run.BaselineOptions, $"Proposal review: {run.Proposal.Name}") with
        {
            Simulation = new SimulationReport(run.Result.Scenario, run.Baseline),
            Comparison = new ComparisonReport(run.Result.Scenario, run.Proposal.Name, run.Proposal.Description,
                run.Result.Breakers, run.Baseline, run.Proposed)
            {
                ParameterChanges = run.Result.ParameterChanges ?? [],
                LiquidatedByChange = run.Result.LiquidatedByChange,
                Attribution = run.Result.Attribution ?? [],
            },
            Sweeps = run.BaselineSweep is { } b ? [new SweepReport(b, run.ProposalSweep, run.Proposal.Name)] : [],
            ProposalSnapshot = run.Proposal.ChangesRiskParameters ? run.ProposalSnapshot : null,
            Stress = run.Stress,
        };

    private static string Format(double x) => x.ToString("#,0.##", CultureInfo.InvariantCulture);

    internal static void Render(IAnsiConsole console, ComparisonResult r, StressResult? stress, TimeSpan elapsed)
    {
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 1000;
        console.WriteLine($"scenario {r.Scenario}; proposal {r.ProposalName}");
        foreach (var line in r.Breakers) console.WriteLine($"  {line}");
        var table = new Table().AddColumns("", "baseline", "proposal", "difference");
        for (var c = 1; c <= 3; c++) table.Columns[c].RightAligned();
        void Row(string name, double b, double p, string unit = "")
        {
            var diff = p - b;
            var colour = diff == 0 ? "grey" : diff < 0 ? "green" : "red"; // lower is better for every row
            table.AddRow(Markup.Escape(name), Markup.Escape(unit + Format(b)), Markup.Escape(unit + Format(p)),
                $"[{colour}]{Markup.Escape((diff > 0 ? "+" : diff < 0 ? "-" : "") + unit + Format(Math.Abs(diff)))}[/]");
        }
        Row("liquidated value", r.Baseline.LiquidatedValueUsd, r.Proposal.LiquidatedValueUsd, "$");
        Row("bad debt", r.Baseline.BadDebtUsd, r.Proposal.BadDebtUsd, "$");
        foreach (var p in r.Baseline.BadDebtByProtocol)
            Row($"  bad debt {p.Protocol}", p.BadDebtUsd, r.Proposal.BadDebtByProtocol.FirstOrDefault(x => x.Protocol == p.Protocol)?.BadDebtUsd ?? 0, "$");
        Row($"deepest price drop % ({r.Proposal.DeepestPriceAsset ?? r.Baseline.DeepestPriceAsset ?? "-"})", r.Baseline.DeepestPriceDrop, r.Proposal.DeepestPriceDrop);
        Row("rounds", r.Baseline.Rounds, r.Proposal.Rounds);
        Row("rounds with liquidations", r.Baseline.RoundsWithLiquidations, r.Proposal.RoundsWithLiquidations);
        Row("liquidation calls", r.Baseline.Liquidations, r.Proposal.Liquidations);
        Row("accounts liquidated", r.Baseline.AccountsLiquidated, r.Proposal.AccountsLiquidated);
        Row("longest chain", r.Baseline.LongestChain, r.Proposal.LongestChain);
        Row("longest cross-protocol chain", r.Baseline.LongestCrossProtocolChain, r.Proposal.LongestCrossProtocolChain);
        Row("held back by breakers (position-rounds)", r.Baseline.HeldBack, r.Proposal.HeldBack);
        console.Write(table);
        if (r.LiquidatedByChange is { } lbc)
            console.WriteLine(lbc.Count == 0
                ? "liquidated at today's prices by this change: none"
                : $"liquidated at today's prices by this change: ${Format(lbc.CollateralUsd)} of collateral, ${Format(lbc.DebtUsd)} of debt ({lbc.Count} positions); " +
                  $"a liquidator's first calls seize ${Format(lbc.FirstCallsCollateralSeizedUsd)} for ${Format(lbc.FirstCallsDebtRepaidUsd)} repaid");
        if (r.Attribution is { Count: > 0 } attribution)
        {
            var each = new Table().AddColumns("change", "bad debt", "liquidated value");
            for (var c = 1; c <= 2; c++) each.Columns[c].RightAligned();
            each.AddRow("baseline", "$" + Format(r.Baseline.BadDebtUsd), "$" + Format(r.Baseline.LiquidatedValueUsd));
            foreach (var a in attribution)
                each.AddRow(Markup.Escape(a.AllTogether ? "all together" : a.Change), "$" + Format(a.BadDebtUsd), "$" + Format(a.LiquidatedValueUsd));
            console.Write(each);
        }
        if (r.Baseline.HitRoundLimit || r.Proposal.HitRoundLimit) console.MarkupLine("[yellow]round limit reached: the cascade was still running[/]");
        if (r.Sweep is { } s)
        {
            var sweep = new Table().AddColumns($"{Markup.Escape(s.Asset)} shock", "bad debt baseline", "bad debt proposal", "liquidated baseline", "liquidated proposal");
            for (var c = 1; c <= 4; c++) sweep.Columns[c].RightAligned();
            foreach (var l in s.Levels)
                sweep.AddRow((l.Shock * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%", "$" + Format(l.BaselineBadDebtUsd), "$" + Format(l.ProposalBadDebtUsd),
                    "$" + Format(l.BaselineLiquidatedValueUsd), "$" + Format(l.ProposalLiquidatedValueUsd));
            console.Write(sweep);
        }
        if (stress is { Proposal: { } ps, Difference: { } d } st)
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"value at risk on {st.Paths:N0} common paths: bad debt VaR99 ${Format(st.Baseline.Statistics.BadDebtVar99)} → ${Format(ps.Statistics.BadDebtVar99)}, difference ${Format(d.Var99Difference)}, 95% CI [${Format(d.Low95)}, ${Format(d.High95)}]: {d.Verdict}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compared in {elapsed.TotalSeconds:0.00} s"));
    }
}
