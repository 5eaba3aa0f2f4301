namespace DefiRisk.Core.Stress;

/// <summary>How a stress run is sized. <see cref="Threads"/> changes the speed only, never a figure.</summary>
public sealed record StressSettings(int Paths = 10_000, int Horizon = 24, int StepMinutes = 60, long Seed = 1, int TopK = 5,
    int BootstrapSamples = 1_000, int? Threads = null, IReadOnlyList<DepegJump>? Depegs = null, int Batches = 1,
    IReadOnlyList<SlashingJump>? Slashings = null);

/// <summary>
/// The result of <c>defirisk stress</c>: the statistics of bad debt and liquidated value over the paths, for the baseline
/// and (with a proposal) for the proposal on the same paths, with the difference of their p99 bad debt. Every figure is
/// USD. <see cref="History"/> says where the fitted history came from (a CSV, or the snapshot's oracle rounds). Byte-identical JSON for the same inputs and seed, whatever the thread count (no clock, no thread-dependent order).
/// </summary>
public sealed record StressResult(
    string Model,
    int Paths,
    int Horizon,
    int StepMinutes,
    long Seed,
    string Conventions,
    IReadOnlyList<StressAsset> Assets,
    StressModelParameters Parameters,
    StressSide Baseline,
    StressSide? Proposal,
    StressDifference? Difference,
    IReadOnlyList<DepegJump>? Depegs = null,
    string? History = null,
    IReadOnlyList<SlashingJump>? Slashings = null,
    string? ProposalBreakers = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Market = null)
{
    /// <summary>The metrics <c>--fail-if</c> names (of the proposal's side when there is one, else the baseline's).</summary>
    public static readonly string[] MetricNames = ["var95", "var99", "es99", "lar95", "lar99", "pBadDebt", "pLiquidation", "meanBadDebt", "maxBadDebt", "var99Difference",
        "var99StandardError", "es99StandardError"];

    public double? Metric(string name)
    {
        var s = (Proposal ?? Baseline).Statistics;
        return name switch
        {
            "var95" => s.BadDebtVar95,
            "var99" => s.BadDebtVar99,
            "es99" => s.BadDebtEs99,
            "lar95" => s.LiquidationsAtRisk95,
            "lar99" => s.LiquidationsAtRisk99,
            "pBadDebt" => s.ProbabilityOfBadDebt,
            "pLiquidation" => s.ProbabilityOfLiquidation,
            "meanBadDebt" => s.MeanBadDebt,
            "maxBadDebt" => s.MaxBadDebt,
            "var99Difference" => Difference?.Var99Difference,
            "var99StandardError" => (Proposal ?? Baseline).Convergence?.Var99StandardError,
            "es99StandardError" => (Proposal ?? Baseline).Convergence?.Es99StandardError,
            _ => null,
        };
    }
}

/// <summary>
/// How a snapshot asset moves on the paths: <c>simulated</c> (its own returns), <c>follows ROOT</c> (its oracle derives
/// from ROOT's feed — an exchange-rate asset moves with its base), or <c>held</c> (no history given: its price stays).
/// </summary>
public sealed record StressAsset(string Symbol, string Moves, double? VolatilityPerStep);

/// <summary>The fitted or given model parameters, per step (jagged for JSON). Null where the model has none.</summary>
public sealed record StressModelParameters(
    IReadOnlyList<string> Assets,
    IReadOnlyList<double>? Volatility,
    IReadOnlyList<IReadOnlyList<double>>? Correlation,
    IReadOnlyList<double>? GarchOmega = null,
    IReadOnlyList<double>? GarchAlpha = null,
    IReadOnlyList<double>? GarchBeta = null,
    IReadOnlyList<double>? GarchInitialVariance = null);

/// <summary>One side (baseline or proposal): its statistics, the loss distribution, the worst paths re-run exactly.</summary>
public sealed record StressSide(string Name, StressStatistics Statistics, IReadOnlyList<LossBin> LossDistribution, IReadOnlyList<StressPath> WorstPaths,
    StressConvergence? Convergence = null, StressBatches? Batches = null);

/// <summary>
/// Convergence by independent batches (<c>--batches K</c>): the paths split into K consecutive blocks of path numbers
/// (independent streams), each block's VaR95/VaR99/ES99 with the same conventions, and their mean, sample standard
/// deviation and range. The spread of a batch figure ÷ √K estimates the standard error of the mean of the batches.
/// </summary>
public sealed record StressBatches(int Count, IReadOnlyList<StressBatch> Batches, StressBatchSpread Var95, StressBatchSpread Var99, StressBatchSpread Es99);

/// <summary>One batch: paths [FirstPath, FirstPath + Paths).</summary>
public sealed record StressBatch(int FirstPath, int Paths, double Var95, double Var99, double Es99);

/// <summary>Mean, sample standard deviation (n − 1), and range of one figure over the batches.</summary>
public sealed record StressBatchSpread(double Mean, double StandardDeviation, double Min, double Max);

/// <summary>
/// Bad-debt VaR at p95/p99 and ES at p99, liquidations at risk (liquidated value) at p95/p99, the share of paths with bad
/// debt above one cent and with any liquidation (liquidated value above one cent); conventions in <see cref="StressResult.Conventions"/>.
/// </summary>
public sealed record StressStatistics(double BadDebtVar95, double BadDebtVar99, double BadDebtEs99, double LiquidationsAtRisk95,
    double LiquidationsAtRisk99, double ProbabilityOfBadDebt, double ProbabilityOfLiquidation, double MeanBadDebt, double MaxBadDebt, double MeanLiquidatedValue);

/// <summary>Paths whose bad debt lies in [From, To) (the last bin includes its upper end).</summary>
public sealed record LossBin(double FromUsd, double ToUsd, int Paths);

/// <summary>
/// One of the worst paths: fast-path figures, the exact path's on the same scenario, whether they agree within the stated
/// tolerance, and the path's moves (per step, per simulated asset, as fractions: −0.02 = −2 %) and depeg jumps.
/// </summary>
public sealed record StressPath(int Path, double BadDebtUsd, double LiquidatedValueUsd, double ExactBadDebtUsd, double ExactLiquidatedValueUsd,
    bool ExactAgrees, IReadOnlyList<IReadOnlyList<double>> Moves, IReadOnlyList<string>? DepegJumps = null);

/// <summary>p99 bad debt of the proposal minus the baseline's, with its 95 % paired-bootstrap interval and the verdict.</summary>
public sealed record StressDifference(double Var99Difference, double Low95, double High95, int BootstrapSamples, string Verdict);
