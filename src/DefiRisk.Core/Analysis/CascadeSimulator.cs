using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// Liquidation cascades over a <see cref="Snapshot"/>. Each round: (1) the scenario's exogenous step for that round
/// re-prices pools / exogenous prices; (2) market prices are read off the pools, oracles follow through the oracle
/// model; (3) every position liquidatable in ANY protocol is found and sorted by health factor ascending, then account
/// address, then protocol (in the snapshot's book order), then market; (4) the circuit breaker permits a subset; (5) each
/// permitted position is liquidated, repeatedly within the round while still HF &lt; 1 (where the rule allows; at most
/// <see cref="SimulationOptions.MaxCallsPerPositionPerRound"/> calls), each call only if it pays after DEX slippage and
/// gas, its collateral sold at once into the pools (reserves update after every swap). The cascade stops after a round
/// that liquidates nothing once all exogenous steps are applied and the oracles have caught up, or at the round limit.
/// </summary>
public static class CascadeSimulator
{
    public static CascadeResult Simulate(Snapshot snapshot, Scenario scenario, SimulationOptions? options = null)
    {
        Validate(scenario, options ??= SimulationOptions.Default);
        return new ExactCascade(snapshot, scenario, options).Run() with { Market = MarketModelChoice.Name(options) };
    }

    /// <summary>
    /// Shocks <paramref name="asset"/> by every level from <paramref name="from"/> to <paramref name="to"/> (fractions,
    /// e.g. −0.01 to −0.50) in steps of <paramref name="step"/> and runs a full cascade per level: the floating-point
    /// fast path (<see cref="FastCascade"/>), or the exact path when the options ask for it or use a circuit breaker.
    /// </summary>
    public static SweepResult Sweep(Snapshot snapshot, Address asset, decimal from, decimal to, decimal step, SimulationOptions? options = null) =>
        Sweep(snapshot, null, asset, from, to, step, options);

    /// <summary>
    /// Compiles a snapshot for the fast path once (arrays sorted by health factor); reuse it for several sweeps, and to
    /// time compilation apart from the sweep.
    /// </summary>
    public static CompiledSnapshot Compile(Snapshot snapshot, SimulationOptions? options = null) =>
        new(FastModel.Compile(snapshot, (options ?? SimulationOptions.Default).Numeraire), options ?? SimulationOptions.Default);

    /// <summary>A sweep on a compiled snapshot (fast path; the options of the compilation apply).</summary>
    public static SweepResult Sweep(CompiledSnapshot compiled, Address asset, decimal from, decimal to, decimal step) =>
        Sweep(compiled.Model.Snapshot, compiled, asset, from, to, step, compiled.Options);

    private static SweepResult Sweep(Snapshot snapshot, CompiledSnapshot? compiled, Address asset, decimal from, decimal to, decimal step, SimulationOptions? options)
    {
        options ??= SimulationOptions.Default;
        var levels = Levels(from, to, step);
        var assetInfo = snapshot.Asset(asset);
        List<SweepLevel> results;
        string path;
        if (options.ExactSweep || options.CircuitBreaker is not NoCircuitBreaker || options.ParameterOverrides.Count > 0
            || options.OracleModel.UniformLag is null)
        {
            path = "exact";
            results = levels.Select(level =>
            {
                var r = Simulate(snapshot, Scenario.Single(asset, level), options);
                var endo = r.Totals.EndogenousRoundsWithLiquidations;
                var after = SelfSustaining.LiquidatedAfterDrop(r, 1, options.OracleModel.LagRounds);
                return new SweepLevel(level, r.Totals.LiquidatedValueUsd, r.Totals.BadDebtUsd, r.Totals.Liquidations,
                    r.Totals.RoundsWithLiquidations, endo, SelfSustaining.Holds(endo, after, r.Totals.LiquidatedValueUsd));
            }).ToList();
        }
        else
        {
            path = "fast";
            Validate(Scenario.Single(asset, levels[0]), options);
            var model = compiled?.Model ?? FastModel.Compile(snapshot, options.Numeraire);
            results = new FastCascade(model, options).Sweep(model.AssetIndex(asset), levels);
        }
        var threshold = results.Where(l => l.SelfSustaining).OrderBy(l => Math.Abs(l.Shock)).Select(l => (decimal?)l.Shock).FirstOrDefault();
        return new SweepResult(asset, assetInfo.Symbol, path, results, threshold) { Market = MarketModelChoice.Name(options) };
    }

    /// <summary>from, from+step, … up to and including to (within a step's rounding).</summary>
    public static IReadOnlyList<decimal> Levels(decimal from, decimal to, decimal step)
    {
        if (step == 0 || Math.Sign(to - from) * Math.Sign(step) < 0)
            throw new DefiRiskException($"sweep step {step} does not lead from {from} to {to}");
        var levels = new List<decimal>();
        for (var x = from; step > 0 ? x <= to : x >= to; x += step)
        {
            if (x <= -1m || x > 10m) throw new DefiRiskException($"sweep level {x:P2} is out of range (must be > -100% and <= 1000%)");
            levels.Add(x);
            if (levels.Count > 100_000) throw new DefiRiskException("sweep has more than 100,000 levels");
        }
        return levels;
    }

    private static void Validate(Scenario scenario, SimulationOptions options)
    {
        if (options.MaxRounds < 1) throw new DefiRiskException($"max rounds {options.MaxRounds} must be at least 1");
        if (options.MaxCallsPerPositionPerRound < 1) throw new DefiRiskException("calls per position per round must be at least 1");
        if (options.GasCostUsd.Sign < 0) throw new DefiRiskException("gas cost must not be negative");
        foreach (var s in scenario.Steps.SelectMany(s => s.Shocks))
            if (s.Change <= -1m || s.Change > 10m) throw new DefiRiskException($"shock {s} is out of range (must be > -100% and <= 1000%)");
    }
}

/// <summary>A snapshot compiled for the fast sweep path (opaque; see <see cref="CascadeSimulator.Compile"/>).</summary>
public sealed class CompiledSnapshot
{
    internal CompiledSnapshot(FastModel model, SimulationOptions options) { Model = model; Options = options; }
    internal FastModel Model { get; }
    internal SimulationOptions Options { get; }
    public int PositionCount => Model.PositionCount;
}
