using System.Globalization;
using DefiRisk.Core.Stress;
using DefiRisk.Reporting.Charts;

namespace DefiRisk.Reporting;

/// <summary>
/// The report's value-at-risk section (<c>stress</c>, <c>compare --stress-paths</c>, <c>review --stress-paths</c>): how the
/// paths were made, VaR/ES and liquidations at risk per side, the p99 difference with its interval and verdict, the loss
/// distribution as a chart, the worst paths with their exact re-run, and every assumption behind those numbers.
/// </summary>
internal static class StressSection
{
    public const string Id = "stress";

    public static void Add(List<Block> b, StressResult r, int number)
    {
        var inv = CultureInfo.InvariantCulture;
        b.Add(new SectionStart(Id));
        b.Add(new Heading(2, $"{number}. Value at risk over simulated price paths", Id));
        b.Add(new Paragraph(string.Create(inv, $"{Format.Int(r.Paths)} paths of {r.Horizon} steps of {r.StepMinutes} minutes, model {ModelName(r.Model)}, seed {r.Seed}. ") +
            "Each path runs the full liquidation cascade along its steps; bad debt is counted at the end of the path (realised + unrealised)."));

        var sides = new List<StressSide> { r.Baseline };
        if (r.Proposal is { } p) sides.Add(p);
        var headers = new List<Text> { "Metric" };
        headers.AddRange(sides.Select(s => Text.Chain(s.Name)));
        if (r.Proposal is not null) headers.Add("Difference");
        var rows = new List<IReadOnlyList<Text>>();
        void Row(string label, Func<StressStatistics, double> f, bool usd)
        {
            var row = new List<Text> { label };
            row.AddRange(sides.Select(s => (Text)(usd ? Format.Usd(f(s.Statistics)) : Format.Percent(f(s.Statistics)))));
            if (r.Proposal is { } q)
            {
                var d = f(q.Statistics) - f(r.Baseline.Statistics);
                row.Add(usd ? Format.UsdDelta(d) : Format.PercentDelta(d));
            }
            rows.Add(row);
        }
        Row("Bad debt VaR p95", s => s.BadDebtVar95, true);
        Row("Bad debt VaR p99", s => s.BadDebtVar99, true);
        Row("Bad debt expected shortfall p99", s => s.BadDebtEs99, true);
        Row("Liquidations at risk p95", s => s.LiquidationsAtRisk95, true);
        Row("Liquidations at risk p99", s => s.LiquidationsAtRisk99, true);
        Row("P(bad debt)", s => s.ProbabilityOfBadDebt, false);
        Row("P(any liquidation)", s => s.ProbabilityOfLiquidation, false);
        Row("Mean bad debt", s => s.MeanBadDebt, true);
        Row("Worst path's bad debt", s => s.MaxBadDebt, true);
        void Error(string label, Func<StressConvergence, double?> f)
        {
            var row = new List<Text> { label };
            row.AddRange(sides.Select(s => (Text)(s.Convergence is { } c && f(c) is { } x ? "± " + Format.Usd(x) : "–")));
            if (r.Proposal is not null) row.Add("");
            rows.Add(row);
        }
        Error("Standard error of VaR p95", c => c.Var95StandardError);
        Error("Standard error of VaR p99", c => c.Var99StandardError);
        Error("Standard error of ES p99", c => c.Es99StandardError);
        b.Add(new Table("Value at risk of bad debt and liquidations at risk, per path (USD)", headers,
            [false, .. sides.Select(_ => true), .. r.Proposal is null ? Array.Empty<bool>() : [true]], rows));
        if (r.Baseline.Convergence is { Warnings.Count: > 0 } few)
            b.Add(new Note("Too few paths: " + string.Join("; ", few.Warnings) + ". Those tail figures rest on a handful of paths: rerun with more."));
        if (r.Difference is { } d)
            b.Add(new Paragraph(string.Create(inv, $"p99 bad debt, proposal − baseline on the same paths: {Format.UsdDelta(d.Var99Difference)}, 95 % paired-bootstrap interval [{Format.UsdDelta(d.Low95)}, {Format.UsdDelta(d.High95)}] ({Format.Int(d.BootstrapSamples)} resamples). Verdict: ") +
                Text.Chain(d.Verdict) + "."));

        var series = sides.Select(s => new ChartSeries(s.Name, s.LossDistribution.Select(bin => ((bin.FromUsd + bin.ToUsd) / 2, (double)bin.Paths)).ToList())).ToList();
        b.Add(new Figure(SvgChart.Line("Loss distribution: bad debt per path", "bad debt at the end of the path (USD, bin middle)", "paths", series),
            "How many paths end with how much bad debt, in 20 equal bins from $0 to the worst path" + (r.Proposal is null ? "." : " of each side (baseline and proposal on the same paths).")));

        foreach (var side in sides)
        {
            if (side.WorstPaths.Count == 0) continue;
            b.Add(new Table("Worst paths of " + Text.Chain(side.Name) + ", re-run on the exact path",
                ["Path", "Bad debt (fast)", "Bad debt (exact)", "Liquidated (fast)", "Liquidated (exact)", "Agree", "Largest cumulative move"],
                [true, true, true, true, true, false, false],
                side.WorstPaths.Select(w => (IReadOnlyList<Text>)[Format.Int(w.Path), Format.Usd(w.BadDebtUsd), Format.Usd(w.ExactBadDebtUsd),
                    Format.Usd(w.LiquidatedValueUsd), Format.Usd(w.ExactLiquidatedValueUsd), w.ExactAgrees ? "yes" : "NO", LargestMove(r, w)]).ToList()));
        }

        b.Add(new Heading(3, "What these numbers assume"));
        b.Add(new BulletList(Assumptions(r)));
    }

    private static string ModelName(string model) => model switch
    {
        "gbm" => "correlated geometric Brownian motion",
        "garch" => "correlated GARCH(1,1)",
        "historical" => "historical replay",
        _ => model,
    };

    /// <summary>The simulated asset whose cumulative move over the path was largest in size, e.g. "WETH −23.4 %".</summary>
    private static Text LargestMove(StressResult r, StressPath w)
    {
        var assets = r.Parameters.Assets;
        if (assets.Count == 0 || w.Moves.Count == 0) return "–";
        var cumulative = new double[assets.Count];
        foreach (var step in w.Moves)
            for (var a = 0; a < assets.Count && a < step.Count; a++) cumulative[a] = (1 + cumulative[a]) * (1 + step[a]) - 1;
        var i = Enumerable.Range(0, assets.Count).MaxBy(a => Math.Abs(cumulative[a]));
        return Text.Chain(assets[i]) + " " + Format.PercentDelta(cumulative[i]);
    }

    private static List<Text> Assumptions(StressResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var list = new List<Text>();
        list.Add(r.Model switch
        {
            "historical" => "Path model: each path replays one window of the history's returns, all assets together (their joint moves, fat tails and correlation as they happened). On a mainnet fork: only moves seen in the history window are possible.",
            "garch" => "Path model: GARCH(1,1) per simulated asset (volatility clusters after large moves), shocks correlated by the history's correlation matrix. On a mainnet fork: correlation is held constant over the horizon, including in a crash.",
            _ => "Path model: correlated geometric Brownian motion, volatility and correlation estimated from the history, no drift beyond the history's. On a mainnet fork: no jumps and thin tails, so crash-sized moves are rarer than on the market.",
        });
        if (r.History is { } h) list.Add("Price history: " + Text.Chain(h) + ", resampled to the step length by the last price at or before each step (how an oracle reads between rounds).");
        var moves = r.Assets.GroupBy(a => a.Moves.StartsWith("follows", StringComparison.Ordinal) ? "follows" : a.Moves).ToDictionary(g => g.Key, g => g.ToList());
        if (moves.TryGetValue("simulated", out var sim))
            list.Add("Simulated: " + Text.Join(", ", sim.Select(a => Text.Chain(a.Symbol) + (a.VolatilityPerStep is { } v ? string.Create(inv, $" (σ {v:P2} per step)") : ""))) + ".");
        if (moves.TryGetValue("follows", out var follow))
            list.Add("Following their base feed (exchange-rate oracles, price = ratio × base): " + Text.Join(", ", follow.Select(a => Text.Chain(a.Symbol + " " + a.Moves))) +
                (r.Slashings is { Count: > 0 }
                    ? ". On a mainnet fork: the ratio moves only by the slashings below"
                    : ". On a mainnet fork: the ratio itself does not move") +
                (r.Depegs is { Count: > 0 } ? "; the depeg jumps below move the market price only." : r.Slashings is { Count: > 0 } ? "." : " (no depeg or slashing on these paths)."));
        if (moves.TryGetValue("held", out var held))
            list.Add("Held at the snapshot price (no history): " + Text.Join(", ", held.Select(a => Text.Chain(a.Symbol))) + ". On a mainnet fork: their risk is not in these numbers.");
        if (r.Depegs is { Count: > 0 } depegs) list.Add("Depeg jumps of the market price (the oracle does not follow): " + Text.Chain(string.Join(", ", depegs)) + ".");
        if (r.Slashings is { Count: > 0 } cuts)
            list.Add("Slashings of the exchange rate (a separate scenario family from the depegs): " + Text.Chain(string.Join(", ", cuts)) +
                " — per step, with that probability, the asset's ratio is cut by that size and stays cut; its oracle (ratio × base) and its market price both fall by the cut. " +
                "On a mainnet fork: the rate provider (e.g. wstETH's stEthPerToken) reporting the loss at once, before any CAPO or market recovery; " +
                "a market oracle composed with a vault's rate keeps that rate (it moves only through its feeds).");
        if (r.ProposalBreakers is { } pb)
            list.Add("The proposal's " + Text.Chain(pb) + " run on every path through their fast rules (USD amounts in 8 decimals as the exact path floors them) and on the worst paths exactly.");
        if (r.Proposal is not null)
            list.Add("Common random numbers: the baseline and the proposal run on exactly the same paths (path i's moves depend only on the seed and i), so their difference is the proposal's, not sampling noise; its interval is a paired bootstrap over paths.");
        list.Add("Each path runs on the fast path (floating point); the worst paths are re-run on the exact path (integer arithmetic as the contracts) and agree when |exact − fast| ≤ 1e-6 × max(|exact|, $1).");
        list.Add("Conventions: " + Text.Chain(r.Conventions) + ".");
        return list;
    }
}
