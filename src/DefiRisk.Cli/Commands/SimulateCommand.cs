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
        int? MaxRounds = null);

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = SnapshotSource.DbOption();
        var block = SnapshotSource.BlockOption();
        var shock = new Option<string[]>("--shock") { Description = "ASSET=-30% (a path: ASSET=-10%,-10%); repeat for several assets", AllowMultipleArgumentsPerToken = false };
        var path = new Option<string?>("--path") { Description = ScenarioInput.PathDescription };
        var lag = new Option<string?>("--oracle-lag") { Description = "rounds between a market move and the oracle showing it (default 0)" };
        var gas = new Option<string?>("--gas-usd") { Description = "gas cost per liquidation call in USD (default 0)" };
        var maxRounds = new Option<string?>("--max-rounds") { Description = "round limit, round 0 included (default 50)" };
        var json = new Option<string?>("--json") { Description = "write the full result as JSON to FILE ('-' = stdout, no tables)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print no tables or progress" };
        var report = ReportOption.Create();
        var command = new Command("simulate", "Simulate a liquidation cascade after a price shock on a stored snapshot.")
            { db, block, shock, path, lag, gas, maxRounds, json, quiet, report };
        command.SetAction(parse =>
        {
            var request = new SimulateRequest(
                SnapshotSource.ResolveDb(parse.GetValue(db)),
                SnapshotSource.ParseBlock(parse.GetValue(block)),
                parse.GetValue(shock) ?? [],
                parse.GetValue(path),
                parse.GetValue(lag) is { } l ? SnapshotSource.ParseInt(l, "--oracle-lag", 0) : null,
                parse.GetValue(gas) is { } g ? SnapshotSource.ParseDecimal(g, "--gas-usd") : null,
                parse.GetValue(maxRounds) is { } m ? SnapshotSource.ParseInt(m, "--max-rounds", 1) : null);
            var q = parse.GetValue(quiet);
            var jsonTarget = parse.GetValue(json);
            var output = console ?? AnsiConsole.Console;
            if (!q && jsonTarget != "-") Milestone(output, $"simulating {string.Join(" ", request.Shocks.Append(request.PathFile ?? "").Where(s => s.Length > 0))} …");
            var run = Execute(request);
            var result = run.Result;
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

    internal static SimulationRun Execute(SimulateRequest request)
    {
        var snapshot = SnapshotSource.Load(request.Database, request.Block);
        var options = Options(request);
        return new SimulationRun(snapshot, options, CascadeSimulator.Simulate(snapshot, Scenario(request, snapshot), options));
    }

    internal static Scenario Scenario(SimulateRequest request, Snapshot snapshot) =>
        ScenarioInput.From(request.Shocks, request.PathFile, snapshot);

    internal static SimulationOptions Options(SimulateRequest request)
    {
        var o = AppSettings.Load().SimulationDefaults();
        if (request.OracleLag is { } lag) o = o with { OracleModel = lag == 0 ? ImmediateOracle.Instance : new LaggedOracle(lag) };
        if (request.GasUsd is { } gas)
        {
            if (gas < 0) throw new DefiRiskException($"--gas-usd {gas.ToString(CultureInfo.InvariantCulture)} must not be negative");
            o = o with { GasCostUsd = new BigInteger(decimal.Floor(gas * 100_000_000m)) };
        }
        if (request.MaxRounds is { } n) o = o with { MaxRounds = n };
        return o;
    }

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

        var t = result.Totals;
        var totals = new Table().Title("Totals").AddColumns("measure", "value");
        totals.Columns[1].RightAligned();
        totals.AddRow("liquidations", t.Liquidations.ToString(inv));
        totals.AddRow("accounts affected", t.AccountsAffected.ToString(inv));
        totals.AddRow("liquidated value (USD)", t.LiquidatedValueUsd.ToString("N2", inv));
        totals.AddRow("bonus paid (USD)", t.BonusPaidUsd.ToString("N2", inv));
        totals.AddRow("bad debt (USD)", t.BadDebtUsd.ToString("N2", inv));
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
