using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// Knobs of a cascade simulation. Defaults: immediate oracles, no gas, unlimited liquidator capital, USDC as the
/// numeraire (else the asset with the most pools), 50 rounds at most.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>Upper bound on rounds (round 0 included); a cascade still running there is flagged.</summary>
    public int MaxRounds { get; init; } = 50;

    /// <summary>How the market-feed oracles follow market prices (default: immediately).</summary>
    public IOracleModel OracleModel { get; init; } = ImmediateOracle.Instance;

    /// <summary>Gas cost per liquidation call, in USD with 8 decimals (subtracted in the profitability test).</summary>
    public BigInteger GasCostUsd { get; init; } = BigInteger.Zero;

    /// <summary>Cap on the debt liquidators repay per round, USD with 8 decimals (at oracle prices); null = no cap.</summary>
    public BigInteger? LiquidatorCapitalPerRoundUsd { get; init; }

    /// <summary>The asset pools are priced against (1 unit = $1 held); null = USDC by symbol, else the most-pooled asset.</summary>
    public Address? Numeraire { get; init; }

    /// <summary>Liquidation calls per position within one round (repeat while still HF &lt; 1).</summary>
    public int MaxCallsPerPositionPerRound { get; init; } = 32;

    /// <summary>Maps each round's proposed liquidations to the permitted ones (next issue builds real breakers).</summary>
    public ICircuitBreaker CircuitBreaker { get; init; } = NoCircuitBreaker.Instance;

    /// <summary>Risk-parameter changes (LT, bonus, pause …) applied to the snapshot before round 0.</summary>
    public IReadOnlyList<IRiskParameterOverride> ParameterOverrides { get; init; } = [];

    /// <summary>How many causes each liquidation lists (the count is always complete) and how many chains are output.</summary>
    public int MaxCausesListed { get; init; } = 5;
    public int MaxChainsListed { get; init; } = 20;

    /// <summary>Sweep only: force the exact BigInteger path instead of the floating-point fast path.</summary>
    public bool ExactSweep { get; init; }

    /// <summary>
    /// Seconds between rounds: round r runs at the snapshot's block time + r × this (round 0 in the snapshot's second), which
    /// is what time-bound rules (e.g. Aave's liquidation grace period) are checked against. Default 12, one mainnet block.
    /// </summary>
    public long StepSeconds { get; init; } = 12;

    /// <summary>The block time of round <paramref name="round"/> for a snapshot taken at <paramref name="snapshotTimestamp"/>.</summary>
    public long BlockTime(long snapshotTimestamp, int round) => snapshotTimestamp + round * StepSeconds;

    /// <summary>How liquidators trade and pay (default: the router model the on-chain replay mirrors; see <see cref="LiquidatorModel"/>).</summary>
    public LiquidatorModel Liquidators { get; init; } = LiquidatorModel.Router;

    /// <summary>How market prices form (default: the first pool of the route, what the on-chain replay mirrors; see <see cref="MarketPriceModel"/>).</summary>
    public MarketPriceModel MarketPrices { get; init; } = MarketPriceModel.FirstPool;

    /// <summary>These options with liquidators as mainnet has them (<see cref="LiquidatorModel.Market"/>), and its gas default unless a
    /// gas cost is set; the gas per extra leg already set (<c>Simulation.LegGasCostUsd</c>) is kept.</summary>
    public SimulationOptions WithMarketLiquidators() => this with
    {
        Liquidators = LiquidatorModel.Market with { LegGasCostUsd = Liquidators.LegGasCostUsd },
        GasCostUsd = GasCostUsd.IsZero ? LiquidatorModel.DefaultGasCostUsd : GasCostUsd,
    };

    public static SimulationOptions Default { get; } = new();
}

/// <summary>
/// The oracle price a market-feed asset reports in a round, given the market prices at the start of every round so
/// far (<paramref name="marketHistory"/>[r][asset], USD 8 decimals) and the snapshot's oracle price.
/// Exchange-rate oracles are derived from their base asset by the simulator, not by this model; the model only says
/// which root feed price they derive from. The engines ask a model, never check its type.
/// </summary>
public interface IOracleModel
{
    BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice);

    /// <summary>Rounds between a market move and the oracle showing it (0 = same round): the largest over assets.</summary>
    int LagRounds { get; }

    /// <summary>
    /// Rounds between a market move and <paramref name="asset"/>'s oracle showing it; <paramref name="root"/> is the market
    /// feed it follows (itself, or an exchange-rate oracle's base; −1 for none).
    /// </summary>
    int LagOf(int asset, int root) => LagRounds;

    /// <summary>
    /// The root feed price an exchange-rate asset derives its price from this round: the root's own feed unless the model
    /// delays the derived oracle itself; null = not yet (it keeps its snapshot price).
    /// </summary>
    BigInteger? DerivedFeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, int root, BigInteger snapshotRootPrice) =>
        FeedPrice(marketHistory, round, root, snapshotRootPrice);

    /// <summary>The lag when every asset's oracle shows the market of a fixed number of rounds ago; else null.</summary>
    int? UniformLag => null;

    /// <summary>
    /// The fast path's twin of this model: <paramref name="asset"/>'s oracle shows its root feed's market of this many rounds
    /// ago (the snapshot price before round 0) — <see cref="LagOf"/> when every asset's lag is fixed; null when not.
    /// </summary>
    int? FastLagOf(int asset, int root) => UniformLag;

    /// <summary>Whether <see cref="FastLagOf"/> answers for every asset (the fast path can run this model).</summary>
    bool RunsOnFastPath => UniformLag is not null;
}

/// <summary>The oracle shows the market price of the same round.</summary>
public sealed class ImmediateOracle : IOracleModel
{
    public static ImmediateOracle Instance { get; } = new();
    public int LagRounds => 0;
    public int? UniformLag => 0;
    public BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice) => marketHistory[round][asset];
}

/// <summary>The oracle shows the market price of <see cref="LagRounds"/> rounds ago (the snapshot price before round 0).</summary>
public sealed class LaggedOracle(int lagRounds) : IOracleModel
{
    public int LagRounds { get; } = lagRounds >= 0 ? lagRounds : throw new DefiRiskException($"oracle lag {lagRounds} must be ≥ 0 rounds");
    public int? UniformLag => LagRounds;
    public BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice) =>
        round - LagRounds >= 0 ? marketHistory[round - LagRounds][asset] : snapshotPrice;
}

/// <summary>A change of risk parameters (a proposal under review) applied to the snapshot before the simulation.</summary>
public interface IRiskParameterOverride
{
    Snapshot Apply(Snapshot snapshot);
}

/// <summary>A position the liquidators would liquidate in a round, before any circuit breaker.</summary>
public sealed record ProposedLiquidation(int Round, string Protocol, string Market, Address Account, BigInteger HealthFactor);

/// <summary>
/// What a breaker sees when it rules on a round: prices in USD 8 decimals by asset. <see cref="OracleHistoryUsd"/>[k] are
/// the oracle prices of round k for k = 0 … Round (the snapshot's prices stand before round 0); null when not supplied.
/// </summary>
public sealed record CircuitBreakerContext(
    int Round,
    Snapshot Snapshot,
    IReadOnlyDictionary<Address, BigInteger> MarketPricesUsd,
    IReadOnlyDictionary<Address, BigInteger> OraclePricesUsd,
    IReadOnlyList<IReadOnlyDictionary<Address, BigInteger>>? OracleHistoryUsd = null);

/// <summary>
/// One liquidation call about to be made, sized: <see cref="RepayUsd"/> is the debt it would repay (USD 8 decimals at the
/// oracle price) when the breaker allows it in full.
/// </summary>
public sealed record SizedLiquidation(ProposedLiquidation Proposed, Address CollateralAsset, Address DebtAsset, BigInteger RepayUsd);

/// <summary>A liquidation call already made (this round or earlier): debt repaid in USD 8 decimals at that round's oracle price.</summary>
public sealed record ExecutedLiquidation(int Round, string Protocol, Address CollateralAsset, Address DebtAsset, BigInteger RepaidUsd);

/// <summary>
/// Maps the proposed liquidations of one round to the permitted ones (a subset, order kept). The rest stay
/// liquidatable and are reported as blocked. Must be deterministic and pure.
/// </summary>
public interface ICircuitBreaker
{
    string Name { get; }
    IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed);

    /// <summary>
    /// Rules on one sized call of a permitted position: the most debt (USD 8 decimals) it may repay — <c>call.RepayUsd</c>
    /// for all of it, less to shrink the call (the rest of the position waits for a later round), zero to defer it.
    /// <paramref name="executed"/> lists every call made so far, earlier rounds and this one, in order.
    /// </summary>
    BigInteger AllowRepayUsd(CircuitBreakerContext context, SizedLiquidation call, IReadOnlyList<ExecutedLiquidation> executed) => call.RepayUsd;

    /// <summary>
    /// True when positions held back in the context's round may be released in a later round without any price move
    /// (a pause ending, a cap window rolling on): the simulator then keeps running rounds instead of stopping quiet.
    /// </summary>
    bool ReleasesLater(CircuitBreakerContext context, IReadOnlyList<ExecutedLiquidation> executed) => false;

    /// <summary>This breaker's fast rule over <paramref name="model"/>'s assets and books; null = it runs on the exact path only.</summary>
    FastCircuitBreaker? CompileFast(FastModel model) => null;
}

/// <summary>Permits everything (the baseline).</summary>
public sealed class NoCircuitBreaker : ICircuitBreaker
{
    public static NoCircuitBreaker Instance { get; } = new();
    public string Name => "none";
    public FastCircuitBreaker? CompileFast(FastModel model) => FastCircuitBreaker.None;
    public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed) => proposed;
}

/// <summary>Applies breakers in order, each to what the previous one permitted.</summary>
public sealed class CompositeCircuitBreaker(IReadOnlyList<ICircuitBreaker> breakers) : ICircuitBreaker
{
    public string Name => string.Join("+", breakers.Select(b => b.Name));

    public IReadOnlyList<ICircuitBreaker> Breakers => breakers;

    public IReadOnlyList<ProposedLiquidation> Permit(CircuitBreakerContext context, IReadOnlyList<ProposedLiquidation> proposed)
    {
        foreach (var b in breakers) proposed = b.Permit(context, proposed);
        return proposed;
    }

    /// <summary>The smallest allowance of all breakers.</summary>
    public BigInteger AllowRepayUsd(CircuitBreakerContext context, SizedLiquidation call, IReadOnlyList<ExecutedLiquidation> executed)
    {
        var allowed = call.RepayUsd;
        foreach (var b in breakers)
        {
            allowed = BigInteger.Min(allowed, b.AllowRepayUsd(context, call with { RepayUsd = allowed }, executed));
            if (allowed.IsZero) break;
        }
        return allowed;
    }

    public bool ReleasesLater(CircuitBreakerContext context, IReadOnlyList<ExecutedLiquidation> executed) =>
        breakers.Any(b => b.ReleasesLater(context, executed));

    /// <summary>Every breaker's fast rule, in order; null when one has none.</summary>
    public FastCircuitBreaker? CompileFast(FastModel model)
    {
        var fast = new List<FastCircuitBreaker>(breakers.Count);
        foreach (var b in breakers)
        {
            if (b.CompileFast(model) is not { } f) return null;
            fast.Add(f);
        }
        return new FastCompositeBreaker(fast);
    }
}
