using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Breakers;

/// <summary>Where a round stands under a <see cref="DeviationPauseBreaker"/>.</summary>
public enum PauseState { Open, Paused, Grace }

/// <summary>
/// Halts liquidations for <see cref="DeviationPause.PauseSteps"/> rounds when any oracle price moves more than
/// <see cref="DeviationPause.ThresholdBps"/> against its price up to <see cref="DeviationPause.WindowSteps"/> rounds
/// earlier (the snapshot price stands before round 0); then, for <see cref="DeviationPause.GraceSteps"/> rounds, only
/// positions with HF &lt; <see cref="DeviationPause.GraceHealthFactor"/> may be liquidated — Aave's
/// <c>PriceOracleSentinel</c> grace period, whose cut-off is <c>MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD</c> = 0.95e18.
/// While paused or in grace no new pause starts, and after the grace the window only looks back to the last restricted
/// round, so the move that caused a pause cannot cause the next one. The exogenous path goes on meanwhile: held-back
/// positions are looked at again each round at that round's prices.
/// <para>
/// <see cref="SequencerSentinel"/> = true mirrors Aave exactly: <c>ValidationLogic.validateLiquidationCall</c> lets HF &lt; 0.95
/// through whatever the sentinel says, so the "pause" (sequencer down) restricts like the grace period instead of halting.
/// </para>
/// </summary>
public sealed class DeviationPauseBreaker(DeviationPause settings, bool sequencerSentinel = false) : ICircuitBreaker
{
    public DeviationPause Settings { get; } = settings;
    public bool SequencerSentinel { get; } = sequencerSentinel;

    public string Name => $"pause(>{Settings.ThresholdBps / 100m}%/{Settings.WindowSteps} steps: {Settings.PauseSteps} paused, {Settings.GraceSteps} grace)";

    public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed)
    {
        var state = State(context);
        if (state == PauseState.Open) return proposed;
        if (state == PauseState.Paused && !SequencerSentinel) return [];
        return proposed.Where(p => p.HealthFactor < Settings.GraceHealthFactor).ToList();
    }

    public bool ReleasesLater(CircuitBreakerContext context, IReadOnlyList<ExecutedLiquidation> executed) => State(context) != PauseState.Open;

    /// <summary>The state of the context's round, from the oracle history (pure: recomputed from round 0 each time).</summary>
    public PauseState State(CircuitBreakerContext context)
    {
        var history = context.OracleHistoryUsd ?? throw new InvalidOperationException("the deviation pause needs the oracle history");
        var snapshotPrices = context.Snapshot.Assets.ToDictionary(a => a.Address, a => a.PriceUsd);
        return Schedule(Price, context.Snapshot.Assets.Select(a => a.Address).ToList(), context.Round, Settings);

        BigInteger Price(int round, Address asset) => round < 0 ? snapshotPrices[asset] : history[round][asset];
    }

    /// <summary>
    /// The pause schedule up to <paramref name="round"/>: <paramref name="price"/>(k, asset) is the oracle price of round k
    /// (k = −1: before round 0). A pause triggered at round t covers rounds t … t+P−1, the grace t+P … t+P+G−1.
    /// </summary>
    public static PauseState Schedule(Func<int, Address, BigInteger> price, IReadOnlyList<Address> assets, int round, DeviationPause s)
    {
        var start = int.MinValue;
        var lookBackTo = -1; // earliest round a window may compare against
        for (var t = 0; t <= round; t++)
        {
            if (start != int.MinValue && t - start < s.PauseSteps + s.GraceSteps) continue;
            if (start != int.MinValue) lookBackTo = Math.Max(lookBackTo, start + s.PauseSteps + s.GraceSteps - 1);
            if (Moved(price, assets, t, Math.Max(lookBackTo, t - s.WindowSteps), s.ThresholdBps)) start = t;
        }
        if (start == int.MinValue) return PauseState.Open;
        var age = round - start;
        return age < s.PauseSteps ? PauseState.Paused : age < s.PauseSteps + s.GraceSteps ? PauseState.Grace : PauseState.Open;
    }

    /// <summary>
    /// The fast rule: the same schedule over the fast path's oracle prices (doubles), advanced one round at a time instead
    /// of recomputed from round 0; a position is let through as <see cref="Permit"/> lets it.
    /// </summary>
    public FastCircuitBreaker CompileFast(FastModel model) => new Fast(Settings, SequencerSentinel, (double)Settings.GraceHealthFactor / 1e18);

    private sealed class Fast(DeviationPause s, bool sentinel, double graceHf) : FastCircuitBreaker
    {
        public override FastBreakerRun Start() => new Run(s, sentinel, graceHf);

        private sealed class Run(DeviationPause s, bool sentinel, double graceHf) : FastBreakerRun
        {
            private int _start = int.MinValue, _lookBackTo = -1, _next;
            private PauseState _state;

            /// <summary><see cref="Schedule"/>'s loop, continued from the last round seen.</summary>
            public override void BeginRound(int round, IReadOnlyList<double[]> oracleUsd, double[] snapshotUsd)
            {
                for (var t = _next; t <= round; t++)
                {
                    if (_start != int.MinValue && t - _start < s.PauseSteps + s.GraceSteps) continue;
                    if (_start != int.MinValue) _lookBackTo = Math.Max(_lookBackTo, _start + s.PauseSteps + s.GraceSteps - 1);
                    if (Moved(oracleUsd, snapshotUsd, t, Math.Max(_lookBackTo, t - s.WindowSteps), s.ThresholdBps)) _start = t;
                }
                _next = round + 1;
                var age = round - _start;
                _state = _start == int.MinValue ? PauseState.Open
                    : age < s.PauseSteps ? PauseState.Paused : age < s.PauseSteps + s.GraceSteps ? PauseState.Grace : PauseState.Open;
            }

            public override bool Permits(double healthFactor) =>
                _state == PauseState.Open || (_state != PauseState.Paused || sentinel) && healthFactor < graceHf;

            public override bool ReleasesLater(int round) => _state != PauseState.Open;

            private static bool Moved(IReadOnlyList<double[]> oracle, double[] snapshot, int t, int from, int thresholdBps)
            {
                var now = oracle[t];
                for (var a = 0; a < now.Length; a++)
                    for (var k = from; k < t; k++)
                    {
                        var then = k < 0 ? snapshot[a] : oracle[k][a];
                        if (then > 0 && Math.Abs(now[a] - then) * 10_000 > thresholdBps * then) return true;
                    }
                return false;
            }
        }
    }

    /// <summary>|p(t) − p(k)| × 10,000 &gt; threshold × p(k) for some asset and some k in [from, t).</summary>
    private static bool Moved(Func<int, Address, BigInteger> price, IReadOnlyList<Address> assets, int t, int from, int thresholdBps)
    {
        foreach (var a in assets)
        {
            var now = price(t, a);
            for (var k = from; k < t; k++)
            {
                var then = price(k, a);
                if (then.Sign > 0 && BigInteger.Abs(now - then) * 10_000 > thresholdBps * then) return true;
            }
        }
        return false;
    }
}
