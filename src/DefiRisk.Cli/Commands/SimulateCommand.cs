using System.CommandLine;
using System.Globalization;
using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk simulate</c>: one cascade on a stored snapshot — exogenous shock, liquidation rounds across protocols,
/// sales into the pools, bad debt. The handler parses, calls <see cref="Run"/>, renders.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Everything a simulation needs from the user. <see cref="Shocks"/>: "WETH=-30%" specs; <see cref="PathFile"/>: one step per line.</summary>
    internal sealed record SimulateRequest(
        string Database,
        long? Block,
        IReadOnlyList<string> Shocks,
        string? PathFile = null,
        int? OracleLag = null,
        decimal? GasUsd = null,
        int? MaxRounds = null,
        bool Fractions = false,
        ExternalDepthOptions.Choice? Venues = null,
        long? StepSeconds = null,
        string? Market = null,
        PriceDynamics? Dynamics = null);

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = SnapshotSource.DbOption();
        var block = SnapshotSource.BlockOption();
        var shock = new Option<string[]>("--shock") { Description = ScenarioInput.ShockDescription, AllowMultipleArgumentsPerToken = false };
        var fractions = ScenarioInput.FractionsOption();
        var path = new Option<string?>("--path") { Description = ScenarioInput.PathDescription };
        var assumptions = new SimulationInput();
        var json = Json.Option("the full result");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print no tables or progress" };
        var report = ReportOption.Create();
        var depth = new Option<string?>("--depth-sensitivity")
        {
            Description = "also run the scenario with every venue's depth scaled: factors, e.g. 0.25,0.5,1,2,4 (the default when given without a value)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var venues = new ExternalDepthOptions();
        var command = new Command("simulate", "Simulate a liquidation cascade after a price shock on a stored snapshot.")
            { db, block, shock, fractions, path, assumptions.OracleLag, assumptions.GasUsd, assumptions.MaxRounds, assumptions.StepSeconds, assumptions.Market, assumptions.RecoveryHalfLife, assumptions.Correlate, depth, venues.File, venues.DexOnly, json, quiet, report };
        command.SetAction(parse =>
        {
            var given = assumptions.Read(parse);
            var request = new SimulateRequest(
                SnapshotSource.ResolveDb(parse.GetValue(db)),
                SnapshotSource.ParseBlock(parse.GetValue(block)),
                parse.GetValue(shock) ?? [],
                parse.GetValue(path),
                given.OracleLag,
                given.GasUsd,
                given.MaxRounds,
                parse.GetValue(fractions),
                venues.Read(parse),
                given.StepSeconds,
                given.Market,
                given.Dynamics);
            var q = parse.GetValue(quiet);
            var jsonTarget = parse.GetValue(json);
            var output = console ?? AnsiConsole.Console;
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            if (parse.GetValue(report) is { } r) OutputFile.Check(r, "--report");
            // The milestone comes once the input is known good, so bad input stays one line on stderr.
            var depthFactors = parse.GetResult(depth) is null ? null : DepthFactors(parse.GetValue(depth));
            var run = Execute(request, scenario => { if (!q && jsonTarget != "-") Milestone(output, $"simulating {scenario.Name} …"); });
            var result = run.Result;
            if (depthFactors is not null)
            {
                if (!q && jsonTarget != "-") Milestone(output, $"depth sensitivity at ×{string.Join(", ×", depthFactors)} …");
                result = result with { DepthSensitivity = DepthSensitivity.Run(run.Snapshot, Scenario(request, run.Snapshot), run.Options, depthFactors) };
            }
            if (jsonTarget is not null) Json.Write(result, jsonTarget);
            if (parse.GetValue(report) is { } reportPath)
                ReportOption.Write(reportPath, ReportOption.Input(run.Snapshot, run.Options, $"Liquidation cascade: {result.Scenario}") with
                {
                    Simulation = new DefiRisk.Reporting.SimulationReport(result.Scenario, result),
                }, q || jsonTarget == "-");
            if (!q && jsonTarget != "-") Render(output, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A finished simulation with what it ran on, for reports.</summary>
    internal sealed record SimulationRun(Snapshot Snapshot, SimulationOptions Options, CascadeResult Result);

    /// <summary>Loads the snapshot, builds scenario and options, runs the exact cascade.</summary>
    internal static CascadeResult Run(SimulateRequest request) => Execute(request).Result;

    internal static SimulationRun Execute(SimulateRequest request, Action<Scenario>? starting = null)
    {
        var venues = request.Venues ?? ExternalDepthOptions.Choice.Default;
        var snapshot = venues.Apply(SnapshotSource.Load(request.Database, request.Block));
        var options = Options(request);
        var scenario = Scenario(request, snapshot);
        starting?.Invoke(scenario);
        var result = CascadeSimulator.Simulate(snapshot, scenario, options);
        // The run records the off-chain depth it used (empty when told DEX-only); nothing when there was none.
        var offChain = snapshot.Venues.Select(v => v.Configuration).OfType<object>().ToList();
        if (offChain.Count > 0 || venues.DexOnly) result = result with { OffChainVenues = offChain };
        return new SimulationRun(snapshot, options, result);
    }

    /// <summary>"0.25,0.5,1,2,4" → factors; null or empty text → the defaults.</summary>
    internal static IReadOnlyList<decimal> DepthFactors(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return DepthSensitivity.DefaultFactors;
        var list = new List<decimal>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var t = part.StartsWith('x') || part.StartsWith('×') ? part[1..] : part;
            if (!decimal.TryParse(t, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var f) || f <= 0 || f > 1000)
                throw new DefiRiskException($"--depth-sensitivity: '{part}' is not a depth factor (a number in (0, 1000], e.g. 0.25,0.5,1,2,4)");
            list.Add(f);
        }
        return list;
    }

    internal static Scenario Scenario(SimulateRequest request, Snapshot snapshot) =>
        ScenarioInput.From(request.Shocks, request.PathFile, snapshot, request.Fractions);

    internal static SimulationOptions Options(SimulateRequest request) =>
        new SimulationInput.Overrides(request.OracleLag, request.GasUsd, request.MaxRounds, request.StepSeconds, request.Market, request.Dynamics).Options();

    private static void Milestone(IAnsiConsole console, string line)
    {
        if (!console.Profile.Capabilities.Interactive) Console.Error.WriteLine(line);
    }

    // ------------------------------------------------------------------ rendering

    internal static void Render(IAnsiConsole console, CascadeResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        // Piped or redirected: no terminal width to respect, and wrapped cells would break scripts.
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = Math.Max(console.Profile.Width, 200);
        var weth = result.PricePath.FirstOrDefault(p => string.Equals(p.Symbol, "WETH", StringComparison.OrdinalIgnoreCase));
        var protocols = result.FinalOraclePrices.Keys.ToList();
        var rounds = new Table().Title($"Cascade: {Markup.Escape(result.Scenario)}")
            .AddColumns(["round", .. protocols.Select(p => Markup.Escape($"{p} liquidations")), "debt repaid (USD)", "bad debt (USD)", "WETH market (USD)", "WETH oracle (USD)"]);
        foreach (var c in Enumerable.Range(1, protocols.Count + 4)) rounds.Columns[c].RightAligned();
        foreach (var r in result.Rounds)
        {
            var w = r.Prices.FirstOrDefault(p => weth is not null && p.Asset == weth.Asset);
            rounds.AddRow([
                r.Round.ToString(inv),
                .. protocols.Select(p => r.Liquidations.Count(l => l.Protocol == p).ToString(inv)),
                r.Liquidations.Sum(l => l.DebtRepaidUsd).ToString("N2", inv),
                r.Liquidations.Sum(l => l.BadDebtUsd).ToString("N2", inv),
                w is null ? "-" : FormatUsd8(w.MarketPriceUsd),
                w is null ? "-" : FormatUsd8(w.OraclePriceUsd)]);
        }
        console.Write(rounds);

        if (result.DepthSensitivity is { } depth)
        {
            var d = new Table().Title("Depth sensitivity (every venue's depth × factor, prices unchanged)")
                .AddColumns("depth", "liquidated (USD)", "bad debt (USD)", "realised", "unrealised", "liquidations", "rounds", "sold into");
            foreach (var c in Enumerable.Range(1, 6)) d.Columns[c].RightAligned();
            foreach (var l in depth)
                d.AddRow("×" + l.Factor.ToString(inv), l.LiquidatedValueUsd.ToString("N0", inv), l.BadDebtUsd.ToString("N0", inv), l.RealisedBadDebtUsd.ToString("N0", inv),
                    l.UnrealisedBadDebtUsd.ToString("N0", inv), l.Liquidations.ToString(inv), l.Rounds.ToString(inv),
                    Markup.Escape(string.Join(", ", l.SalesByVenue.Select(v => $"{v.Venue} ${v.SoldUsd.ToString("N0", inv)}"))));
            console.Write(d);
        }

        var t = result.Totals;
        var totals = new Table().Title("Totals").AddColumns("measure", "value");
        totals.Columns[1].RightAligned();
        totals.AddRow("liquidations", t.Liquidations.ToString(inv));
        totals.AddRow("accounts affected", t.AccountsAffected.ToString(inv));
        totals.AddRow("liquidated value (USD)", t.LiquidatedValueUsd.ToString("N2", inv));
        totals.AddRow("bonus paid (USD)", t.BonusPaidUsd.ToString("N2", inv));
        totals.AddRow("bad debt (USD)", t.BadDebtUsd.ToString("N2", inv));
        totals.AddRow("  realised (booked by the protocols)", t.RealisedBadDebtUsd.ToString("N2", inv));
        totals.AddRow($"  unrealised ({t.Insolvent.Count} open insolvent positions)", t.UnrealisedBadDebtUsd.ToString("N2", inv));
        totals.AddRow("rounds with liquidations", $"{t.RoundsWithLiquidations} ({t.EndogenousRoundsWithLiquidations} driven by sales after the shock)");
        foreach (var b in t.BadDebt)
            totals.AddRow(Markup.Escape($"  bad debt {b.Protocol} {Short(b.Market)} {Symbol(result, b.Asset)} {b.Kind}"), b.AmountUsd.ToString("N2", inv));
        if (result.HitRoundLimit) totals.AddRow("[yellow]round limit hit[/]", "still liquidating");
        console.Write(totals);

        if (result.LongestChain is { } chain)
        {
            var byId = result.Rounds.SelectMany(r => r.Liquidations).ToDictionary(l => l.Id);
            var steps = chain.LiquidationIds.Select(id => byId[id]).Select(l => $"#{l.Id} r{l.Round} {l.Protocol} {Short(l.Account.Value)}");
            console.MarkupLine($"Longest chain ({chain.LiquidationIds.Count} liquidations{(chain.CrossesProtocols ? ", crosses protocols" : "")}): " +
                Markup.Escape(string.Join(" → ", steps)));
        }
        else console.WriteLine("No liquidation chain.");
    }

    internal static string FormatUsd8(BigInteger usd8) => FixedPointText.Usd(usd8);

    private static string Symbol(CascadeResult result, Address asset) =>
        result.PricePath.FirstOrDefault(p => p.Asset == asset)?.Symbol ?? Short(asset.Value);

    private static string Short(string s) => s.Length > 20 ? s[..10] + "…" + s[^6..] : s;
}

/// <summary>USD with 8 decimals as text with 2 decimals (truncated), for tables.</summary>
internal static class FixedPointText
{
    public static string Usd(BigInteger usd8)
    {
        var cents = usd8 / 1_000_000;
        var sign = cents.Sign < 0 ? "-" : "";
        cents = BigInteger.Abs(cents);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{cents / 100:N0}.{(int)(cents % 100):00}");
    }
}
