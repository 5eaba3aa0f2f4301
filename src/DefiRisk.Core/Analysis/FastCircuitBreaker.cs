using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// A circuit breaker compiled for the fast path (<see cref="ICircuitBreaker.CompileFast"/>), beside its exact rule: the same
/// decisions on doubles, USD amounts in 8-decimal units floored as the exact path floors them. Immutable and shared by the
/// workers; <see cref="Start"/> hands each cascade its own mutable <see cref="FastBreakerRun"/>.
/// </summary>
public abstract class FastCircuitBreaker
{
    public abstract FastBreakerRun Start();

    /// <summary>Permits everything (the fast twin of <see cref="NoCircuitBreaker"/>).</summary>
    public static FastCircuitBreaker None { get; } = new Nothing();

    private sealed class Nothing : FastCircuitBreaker
    {
        private static readonly FastBreakerRun Run = new Open();
        public override FastBreakerRun Start() => Run;
    }

    private sealed class Open : FastBreakerRun;
}

/// <summary>
/// One cascade's breaker state on the fast path. Called in the exact path's order: <see cref="BeginRound"/> once per round
/// with the oracle prices so far; <see cref="Permits"/> per liquidatable position (in health-factor order); <see cref="Allow"/>
/// per sized call; <see cref="Executed"/> per call made; <see cref="ReleasesLater"/> when a quiet round held something back.
/// </summary>
public abstract class FastBreakerRun
{
    /// <param name="oracleUsd">oracle prices of rounds 0 … <paramref name="round"/> (USD per token, by asset).</param>
    /// <param name="snapshotUsd">the snapshot's oracle prices (what stands before round 0).</param>
    public virtual void BeginRound(int round, IReadOnlyList<double[]> oracleUsd, double[] snapshotUsd) { }

    /// <summary>Whether a liquidatable position with health factor <paramref name="healthFactor"/> may be liquidated this round.</summary>
    public virtual bool Permits(double healthFactor) => true;

    /// <summary>The most a call of book <paramref name="book"/> repaying <paramref name="repayUsd8"/> (USD 8 decimals, floored) may repay.</summary>
    public virtual double Allow(int round, int book, int collateral, int debt, double repayUsd8) => repayUsd8;

    /// <summary>A call made (USD 8 decimals repaid, floored, at the round's oracle price).</summary>
    public virtual void Executed(int round, int book, int collateral, int debt, double repaidUsd8) { }

    /// <summary>As <see cref="ICircuitBreaker.ReleasesLater"/>: held-back positions may be let go later without a price move.</summary>
    public virtual bool ReleasesLater(int round) => false;
}

/// <summary>The fast twin of <see cref="CompositeCircuitBreaker"/>: every breaker must permit; the smallest allowance, each ruling on the previous one's.</summary>
internal sealed class FastCompositeBreaker(IReadOnlyList<FastCircuitBreaker> breakers) : FastCircuitBreaker
{
    public override FastBreakerRun Start() => new Run(breakers.Select(b => b.Start()).ToArray());

    private sealed class Run(FastBreakerRun[] runs) : FastBreakerRun
    {
        public override void BeginRound(int round, IReadOnlyList<double[]> oracleUsd, double[] snapshotUsd)
        {
            foreach (var r in runs) r.BeginRound(round, oracleUsd, snapshotUsd);
        }

        public override bool Permits(double healthFactor)
        {
            foreach (var r in runs) if (!r.Permits(healthFactor)) return false;
            return true;
        }

        public override double Allow(int round, int book, int collateral, int debt, double repayUsd8)
        {
            var allowed = repayUsd8;
            foreach (var r in runs)
            {
                allowed = Math.Min(allowed, r.Allow(round, book, collateral, debt, allowed));
                if (allowed <= 0) return 0;
            }
            return allowed;
        }

        public override void Executed(int round, int book, int collateral, int debt, double repaidUsd8)
        {
            foreach (var r in runs) r.Executed(round, book, collateral, debt, repaidUsd8);
        }

        public override bool ReleasesLater(int round)
        {
            foreach (var r in runs) if (r.ReleasesLater(round)) return true;
            return false;
        }
    }
}

/// <summary>What the fast path can run of a simulation's options, and the one line saying why not.</summary>
public static class FastPathSupport
{
    /// <summary>Null when the fast path runs <paramref name="options"/>; else why not (one line).</summary>
    public static string? WhyNot(SimulationOptions options, FastModel? model = null)
    {
        if (options.ParameterOverrides.Count > 0) return "parameter overrides run on the exact path only (apply them to the snapshot)";
        if (!options.OracleModel.RunsOnFastPath)
            return "the oracle model is not a fixed lag per asset, which the fast path needs";
        if (model is not null && options.CircuitBreaker.CompileFast(model) is null)
            return $"circuit breaker {options.CircuitBreaker.Name} has no fast rule";
        return null;
    }
}
