using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// No liquidation call repaying less than <see cref="MinRepayUsd"/> (USD 8 decimals at oracle prices) — a dust floor like
/// Maker's <c>ilk.dust</c>. Small positions are never cleared, so whatever bad debt they end with stays.
/// </summary>
public sealed class MinimumLiquidationBreaker(BigInteger minRepayUsd) : ICircuitBreaker
{
    public BigInteger MinRepayUsd { get; } = minRepayUsd.Sign >= 0 ? minRepayUsd : throw new DefiRiskException("minimum liquidation size must not be negative");

    public string Name => $"min-size(${MinRepayUsd / 100_000_000})";

    public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed) => proposed;

    public BigInteger AllowRepayUsd(CircuitBreakerContext context, SizedLiquidation call, IReadOnlyList<ExecutedLiquidation> executed) =>
        call.RepayUsd < MinRepayUsd ? BigInteger.Zero : call.RepayUsd;

    /// <summary>The fast rule: the same floor on the call's USD 8 decimals.</summary>
    public FastCircuitBreaker CompileFast(FastModel model) => new Fast((double)MinRepayUsd);

    private sealed class Fast(double min8) : FastCircuitBreaker
    {
        private readonly FastBreakerRun _run = new Run(min8); // stateless: one run serves every cascade
        public override FastBreakerRun Start() => _run;

        private sealed class Run(double min8) : FastBreakerRun
        {
            public override double Allow(int round, int book, int collateral, int debt, double repayUsd8) => repayUsd8 < min8 ? 0 : repayUsd8;
        }
    }
}
