using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
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
        SimulationOptions? Options = null);

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = new Option<string?>("--db") { Description = "SQLite database file (default: appsettings.json Database)" };
        var proposal = new Option<string>("--proposal") { Description = "proposal file (JSON; see fixtures/example-proposal.json)", Required = true };
        var shock = new Option<string[]>("--shock") { Description = "shock, e.g. WETH=-30% or a path WETH=-10%,-10%,-5% (repeatable)", AllowMultipleArgumentsPerToken = true };
        var path = new Option<string?>("--path") { Description = "shock path file: one shock spec per line (e.g. WETH=-10%,-10%), # comments" };
        var json = new Option<string?>("--json") { Description = "write the comparison as JSON to this file (- for stdout)" };
        var failIf = new Option<string[]>("--fail-if") { Description = "exit 1 when the proposal's result meets all conditions, e.g. \"badDebt>100000\" (repeatable: any)" };
        var quiet = new Option<bool>("--quiet") { Description = "no table; only errors and crossed limits" };
        var sweepAsset = new Option<string?>("--sweep-asset") { Description = "also sweep drops of this asset (bad debt, liquidated value vs shock size)" };
        var from = new Option<decimal>("--from") { Description = "sweep: first drop, percent", DefaultValueFactory = _ => 0m };
        var to = new Option<decimal>("--to") { Description = "sweep: last drop, percent", DefaultValueFactory = _ => 60m };
        var step = new Option<decimal>("--step") { Description = "sweep: step, percent", DefaultValueFactory = _ => 5m };
        var command = new Command("compare", "Run a scenario on the baseline and on a proposal side by side (liquidations, bad debt, rounds, chains).")
            { db, proposal, shock, path, json, failIf, quiet, sweepAsset, from, to, step };
        command.SetAction((parse, _) =>
        {
            var output = console ?? AnsiConsole.Console;
            var dbPath = parse.GetValue(db) ?? AppSettings.Load().Database ?? throw new DefiRiskException("no --db given and no Database in appsettings.json");
            // Parse the limits first: a malformed expression must stop everything before any simulation runs.
            var conditions = (parse.GetValue(failIf) ?? []).Select(RiskCondition.Parse).ToList();
            var sweep = parse.GetValue(sweepAsset) is { } sa ? new SweepSpec(sa, parse.GetValue(from), parse.GetValue(to), parse.GetValue(step)) : null;
            var request = new CompareRequest(dbPath, parse.GetValue(proposal)!, parse.GetValue(shock) ?? [], parse.GetValue(path), sweep);

            var clock = Stopwatch.StartNew();
            var result = Run(request);
            var elapsed = clock.Elapsed;

            if (parse.GetValue(json) is { } jsonPath)
            {
                var text = ToJson(result);
                if (jsonPath == "-") Console.Out.WriteLine(text);
                else File.WriteAllText(jsonPath, text + "\n");
            }
            if (!parse.GetValue(quiet)) Render(output, result, elapsed);

            var crossed = conditions.Where(c => RiskCondition.Crossed(c, result.Proposal)).ToList();
            foreach (var c in crossed)
                Console.Error.WriteLine($"risk limit crossed by the proposal: {string.Join(" && ", c.Select(x => $"{x.Text} ({x.Metric} = {Format(result.Proposal.Metric(x.Metric) ?? 0)})"))}");
            return Task.FromResult(crossed.Count > 0 ? ExitCodes.RiskLimitCrossed : ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Loads, validates (everything before anything runs), simulates baseline and proposal, and compares.</summary>
    internal static ComparisonResult Run(CompareRequest request)
    {
        if (!File.Exists(request.Db)) throw new DefiRiskException($"database {request.Db} does not exist (run `defirisk index` first)");
        if (!File.Exists(request.ProposalFile)) throw new DefiRiskException($"proposal file {request.ProposalFile} does not exist");
        var snapshot = new SnapshotStore(request.Db).Load();
        var proposal = ProposalParser.Parse(File.ReadAllText(request.ProposalFile), request.ProposalFile, snapshot);

        if (request.Shocks.Count > 0 && request.PathFile is not null) throw new DefiRiskException("give either --shock or --path, not both");
        Scenario scenario;
        if (request.PathFile is not null) scenario = ReadPath(request.PathFile, snapshot);
        else if (request.Shocks.Count > 0) scenario = ScenarioParser.Parse(request.Shocks, snapshot);
        else if (request.Sweep is { } only) scenario = ScenarioParser.Parse([$"{only.Asset}={-only.ToPercent}%"], snapshot);
        else throw new DefiRiskException("no scenario: use --shock WETH=-30%, --path FILE or --sweep-asset WETH");

        var baseOptions = request.Options ?? SimulationOptions.Default;
        var proposalSnapshot = ProposalApplier.Apply(snapshot, proposal);
        var proposalOptions = ProposalBreakers.Options(baseOptions, proposal, proposalSnapshot);
        var sweepAsset = request.Sweep is { } sw
            ? snapshot.FindAsset(sw.Asset) ?? throw new DefiRiskException($"--sweep-asset '{sw.Asset}' is not in the snapshot")
            : null;
        var levels = request.Sweep is { } sp ? CascadeSimulator.Levels(-sp.FromPercent / 100m, -sp.ToPercent / 100m, -sp.StepPercent / 100m) : null;

        var baseline = CascadeSimulator.Simulate(snapshot, scenario, baseOptions);
        var proposed = CascadeSimulator.Simulate(proposalSnapshot, scenario, proposalOptions);
        var result = ComparisonResult.Create(proposal.Name, Describe(proposal), snapshot, baseline, proposed);

        if (sweepAsset is not null && levels is not null)
        {
            var sp2 = request.Sweep!;
            var b = CascadeSimulator.Sweep(snapshot, sweepAsset.Address, -sp2.FromPercent / 100m, -sp2.ToPercent / 100m, -sp2.StepPercent / 100m, baseOptions);
            var p = CascadeSimulator.Sweep(proposalSnapshot, sweepAsset.Address, -sp2.FromPercent / 100m, -sp2.ToPercent / 100m, -sp2.StepPercent / 100m, proposalOptions);
            result = result with
            {
                Sweep = new ComparisonSweep(sweepAsset.Symbol, b.Levels.Zip(p.Levels, (x, y) =>
                    new ComparisonSweepLevel(x.Shock, x.BadDebtUsd, y.BadDebtUsd, x.LiquidatedValueUsd, y.LiquidatedValueUsd)).ToList()),
            };
        }
        return result;
    }

    /// <summary>A path file: one shock spec per line (as <c>--shock</c> takes them), blank lines and # comments ignored.</summary>
    internal static Scenario ReadPath(string file, Snapshot snapshot)
    {
        if (!File.Exists(file)) throw new DefiRiskException($"path file {file} does not exist");
        var specs = File.ReadAllLines(file).Select(l => (l.IndexOf('#') is var i and >= 0 ? l[..i] : l).Trim()).Where(l => l.Length > 0).ToList();
        if (specs.Count == 0) throw new DefiRiskException($"path file {file} has no shock line (e.g. WETH=-10%,-10%,-5%)");
        return ScenarioParser.Parse(specs, snapshot, Path.GetFileNameWithoutExtension(file));
    }

    private static IReadOnlyList<string> Describe(Proposal p)
    {
        var list = new List<string>();
        foreach (var r in p.AaveV3Reserves)
            list.Add($"aave-v3 {r.Asset}: " + string.Join(", ", new[]
            {
                r.Ltv is { } l ? $"LTV {l / 100m}%" : null, r.LiquidationThreshold is { } t ? $"LT {t / 100m}%" : null,
                r.LiquidationBonus is { } b ? $"bonus {(b - 10_000) / 100m}%" : null,
            }.Where(x => x is not null)));
        foreach (var e in p.AaveV3EModes) list.Add($"aave-v3 e-mode {e.Category}");
        if (p.AaveV3CloseFactor is { } cf) list.Add($"aave-v3 close factor {(cf.CloseFactor ?? 5000) / 100m}%");
        foreach (var m in p.MorphoBlueMigrations) list.Add($"morpho-blue migrate {m.Market[..Math.Min(10, m.Market.Length)]}… to LLTV {(double)m.NewLltv / 1e16:0.##}%");
        var b2 = p.Breakers;
        foreach (var c in b2.Caps) list.Add($"cap {(c.Key ?? "global")} ${c.MaxValueUsd / 100_000_000:N0} per {c.WindowSteps} step(s)");
        if (b2.OracleDelay is { } d) list.Add($"oracle delay {d.Steps} step(s){(d.Assets.Count > 0 ? " on " + string.Join(", ", d.Assets) : "")}");
        if (b2.Pause is { } ps) list.Add($"pause {ps.PauseSteps} step(s) on > {ps.ThresholdBps / 100m}% within {ps.WindowSteps}, grace {ps.GraceSteps} (HF < {(double)ps.GraceHealthFactor / 1e18:0.##})");
        if (b2.MinLiquidationUsd is { } min) list.Add($"min liquidation ${min / 100_000_000:N0}");
        return list;
    }

    // Relaxed escaping: the file is read by scripts and people, not embedded in HTML ("HF < 0.95" stays readable).
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static string ToJson(ComparisonResult r) => JsonSerializer.Serialize(r, JsonOptions);

    private static string Format(double x) => x.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static void Render(IAnsiConsole console, ComparisonResult r, TimeSpan elapsed)
    {
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 1000;
        console.WriteLine($"scenario {r.Scenario}; proposal {r.ProposalName}");
        foreach (var d in r.Breakers) console.WriteLine($"  {d}");
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
        foreach (var p in CascadeSummary.Protocols)
            Row($"  bad debt {p}", r.Baseline.BadDebtByProtocol.First(x => x.Protocol == p).BadDebtUsd, r.Proposal.BadDebtByProtocol.First(x => x.Protocol == p).BadDebtUsd, "$");
        Row($"deepest price drop % ({r.Proposal.DeepestPriceAsset ?? r.Baseline.DeepestPriceAsset ?? "-"})", r.Baseline.DeepestPriceDrop, r.Proposal.DeepestPriceDrop);
        Row("rounds", r.Baseline.Rounds, r.Proposal.Rounds);
        Row("rounds with liquidations", r.Baseline.RoundsWithLiquidations, r.Proposal.RoundsWithLiquidations);
        Row("liquidation calls", r.Baseline.Liquidations, r.Proposal.Liquidations);
        Row("accounts liquidated", r.Baseline.AccountsLiquidated, r.Proposal.AccountsLiquidated);
        Row("longest chain", r.Baseline.LongestChain, r.Proposal.LongestChain);
        Row("longest cross-protocol chain", r.Baseline.LongestCrossProtocolChain, r.Proposal.LongestCrossProtocolChain);
        Row("held back by breakers (position-rounds)", r.Baseline.HeldBack, r.Proposal.HeldBack);
        console.Write(table);
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
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compared in {elapsed.TotalSeconds:0.00} s"));
    }
}
