using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// At most <see cref="LiquidationCap.MaxValueUsd"/> (USD 8 decimals, debt repaid at oracle prices) of liquidations within
/// any <see cref="LiquidationCap.WindowSteps"/> consecutive rounds in the scope — like Maker's <c>Dog.Hole</c> (global) and
/// <c>ilk.hole</c> (per collateral): a call that would exceed the room left is shrunk to the room (Maker's <c>dog.bark</c>
/// liquidates a partial tab), and when no room is left the position waits. The excess is deferred, not dropped: the
/// position stays liquidatable and is looked at again in the next round, at that round's prices.
/// </summary>
public sealed class LiquidationCapBreaker : ICircuitBreaker
{
    private readonly LiquidationCap _cap;
    private readonly Address? _collateral;

    public LiquidationCapBreaker(LiquidationCap cap, Snapshot snapshot)
    {
        if (cap.MaxValueUsd.Sign < 0) throw new DefiRiskException($"liquidation cap {cap.MaxValueUsd} must not be negative");
        if (cap.WindowSteps < 1) throw new DefiRiskException($"liquidation cap window {cap.WindowSteps} must be at least 1 step");
        _cap = cap;
        if (cap.Scope == CapScope.CollateralAsset)
            _collateral = (snapshot.FindAsset(cap.Key ?? "") ?? throw new DefiRiskException($"capped collateral '{cap.Key}' is not in the snapshot")).Address;
    }

    public string Name => _cap.Scope switch
    {
        CapScope.Global => $"cap(global ${_cap.MaxValueUsd / 100_000_000}/{_cap.WindowSteps} steps)",
        _ => $"cap({_cap.Key} ${_cap.MaxValueUsd / 100_000_000}/{_cap.WindowSteps} steps)",
    };

    public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed) => proposed;

    public BigInteger AllowRepayUsd(CircuitBreakerContext context, SizedLiquidation call, IReadOnlyList<ExecutedLiquidation> executed)
    {
        if (!InScope(call.Proposed.Protocol, call.CollateralAsset)) return call.RepayUsd;
        var room = _cap.MaxValueUsd - Used(context.Round, executed);
        return room.Sign <= 0 ? BigInteger.Zero : BigInteger.Min(room, call.RepayUsd);
    }

    /// <summary>The window rolls on: room comes back once the calls in it are older than the window.</summary>
    public bool ReleasesLater(CircuitBreakerContext context, IReadOnlyList<ExecutedLiquidation> executed) => !Used(context.Round, executed).IsZero;

    /// <summary>USD 8 decimals repaid in scope during rounds (round − window, round].</summary>
    private BigInteger Used(int round, IReadOnlyList<ExecutedLiquidation> executed)
    {
        BigInteger used = 0;
        for (var i = executed.Count - 1; i >= 0; i--)
        {
            var e = executed[i];
            if (e.Round <= round - _cap.WindowSteps) break; // executed is in round order
            if (InScope(e.Protocol, e.CollateralAsset)) used += e.RepaidUsd;
        }
        return used;
    }

    private bool InScope(string protocol, Address collateral) => _cap.Scope switch
    {
        CapScope.Global => true,
        CapScope.Protocol => protocol == _cap.Key,
        _ => collateral == _collateral,
    };

    /// <summary>
    /// The fast rule: the same window on USD 8 decimals (floored calls, as the exact path records them), kept per round
    /// for the rounds in scope; the scope resolved to book indices and an asset index once.
    /// </summary>
    public FastCircuitBreaker CompileFast(FastModel model)
    {
        var books = model.Snapshot.Books.Select(b => _cap.Scope != CapScope.Protocol || b.Protocol == _cap.Key).ToArray();
        var collateral = _collateral is { } c ? model.Assets[c] : -1;
        return new Fast((double)_cap.MaxValueUsd, _cap.WindowSteps, books, collateral);
    }

    private sealed class Fast(double max8, int window, bool[] books, int collateral) : FastCircuitBreaker
    {
        public override FastBreakerRun Start() => new Run(max8, window, books, collateral);

        private sealed class Run(double max8, int window, bool[] books, int collateral) : FastBreakerRun
        {
            // USD 8 decimals repaid in scope, by round.
            private readonly List<double> _used = [];

            private bool InScope(int book, int coll) => books[book] && (collateral < 0 || coll == collateral);

            private double Used(int round)
            {
                double used = 0;
                for (var r = Math.Max(0, round - window + 1); r <= round && r < _used.Count; r++) used += _used[r];
                return used;
            }

            public override double Allow(int round, int book, int coll, int debt, double repayUsd8)
            {
                if (!InScope(book, coll)) return repayUsd8;
                var room = max8 - Used(round);
                return room <= 0 ? 0 : Math.Min(room, repayUsd8);
            }

            public override void Executed(int round, int book, int coll, int debt, double repaidUsd8)
            {
                if (!InScope(book, coll)) return;
                while (_used.Count <= round) _used.Add(0);
                _used[round] += repaidUsd8;
            }

            public override bool ReleasesLater(int round) => Used(round) != 0;
        }
    }
}
