using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk bench …</c>: timing runs of the heavy paths on synthetic data. Each subcommand lives in its own method so
/// others (e.g. <c>bench index</c>) can be added without touching this one.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var bench = new Command("bench", "Time the analyser and indexer on synthetic data (wall clock, positions/s, peak memory).");
        bench.Subcommands.Add(Sweep(console ?? AnsiConsole.Console));
        return bench;
    }

    /// <summary><c>bench sweep --positions N --levels L</c>: a full-cascade sweep of a WETH shock on a seeded synthetic snapshot.</summary>
    internal static Command Sweep(IAnsiConsole console)
    {
        var positions = new Option<int>("--positions") { Description = "Synthetic positions (70 % Aave, 30 % Morpho).", DefaultValueFactory = _ => 1_000_000 };
        var levels = new Option<int>("--levels") { Description = "Shock levels, evenly spaced from --from to --to.", DefaultValueFactory = _ => 100 };
        var from = new Option<decimal>("--from") { Description = "First WETH shock as a fraction.", DefaultValueFactory = _ => -0.005m };
        var to = new Option<decimal>("--to") { Description = "Last WETH shock as a fraction.", DefaultValueFactory = _ => -0.50m };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 1 };
        var cmd = new Command("sweep", "Sweep a WETH shock over a synthetic snapshot with full cascades (fast path).") { positions, levels, from, to, seed };
        cmd.SetAction(parse =>
        {
            var n = parse.GetValue(positions);
            var l = parse.GetValue(levels);
            var f = parse.GetValue(from);
            var t = parse.GetValue(to);
            if (n <= 0) throw new DefiRiskException($"--positions {n} must be positive");
            if (l < 1) throw new DefiRiskException($"--levels {l} must be at least 1");
            var step = l == 1 ? 1m : (t - f) / (l - 1);

            var clock = Stopwatch.StartNew();
            var snapshot = SyntheticSnapshot.Generate(n, parse.GetValue(seed));
            var generated = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var compiled = CascadeSimulator.Compile(snapshot);
            var compiledIn = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var result = CascadeSimulator.Sweep(compiled, SyntheticSnapshot.Weth, f, l == 1 ? f : t + step / 2, step == 0 ? 1m : step);
            var swept = clock.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;

            var inv = CultureInfo.InvariantCulture;
            console.WriteLine(string.Create(inv, $"positions {snapshot.PositionCount:N0}, levels {result.Levels.Count}, path {result.Path}"));
            console.WriteLine(string.Create(inv, $"generate {generated:F2} s, compile {compiledIn:F2} s, sweep of {result.Levels.Count} full cascades {swept:F2} s"));
            console.WriteLine(string.Create(inv, $"throughput {(double)snapshot.PositionCount * result.Levels.Count / swept:N0} position-levels/s"));
            console.WriteLine(string.Create(inv, $"peak working set {peak / 1048576.0:N0} MiB"));
            var worst = result.Levels.OrderBy(x => x.Shock).First();
            console.WriteLine(string.Create(inv, $"at {worst.Shock:P1}: liquidated ${worst.LiquidatedValueUsd:N0}, bad debt ${worst.BadDebtUsd:N0}"));
            console.WriteLine(string.Create(inv, $"  {worst.Liquidations:N0} liquidations, {worst.EndogenousRoundsWithLiquidations} endogenous rounds"));
            console.WriteLine(result.SelfSustainingThreshold is { } th
                ? string.Create(inv, $"self-sustaining from {th:P1}")
                : "no self-sustaining cascade in the range");
            return 0;
        });
        return cmd;
    }
}
