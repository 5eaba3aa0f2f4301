using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>
/// The <see cref="FixtureProfile.MainnetLike"/> population: a market shaped like Ethereum mainnet's lending
/// markets, small enough to commit. Same contracts, reserves and Morpho markets as the demo; only the
/// borrowers and the pool depths differ.
/// </summary>
public sealed partial class FixtureBuilder
{
    /// <summary>
    /// Pool depths (base side, whole tokens; the quote side is at the oracle price). A constant-product pool
    /// with R WETH absorbs only about R·x/2 WETH before its price falls by x, so WETH/USDC's 600,000 WETH hold
    /// about 6,000 WETH ($15 M) within 2 % of the price: a small fraction of the collateral that a 20–30 %
    /// WETH drop makes liquidatable. Selling what the first round seizes at −25 % moves the pair by roughly
    /// 10 % more, enough for several further rounds (numbers in fixtures/README.md).
    /// </summary>
    internal static readonly (string Base, string Quote, decimal BaseDepth)[] MainnetLikePairSpecs =
    [
        ("WETH", "USDC", 600_000m),
        ("WBTC", "USDC", 5_000m),
        ("wstETH", "WETH", 150_000m),
    ];

    /// <summary>Median account size (USD of collateral) and the log-normal σ of sizes: with σ = 2.3 the
    /// largest 1 % of accounts hold about 49 % of the collateral (1 − Φ(2.326 − σ)).</summary>
    private const double MedianSizeUsd = 12_000, SizeSigma = 2.3, MinimumSizeUsd = 250;

    /// <summary>
    /// The seeded mainnet-like borrowers. Sizes are a stratified log-normal (the i-th of n gets the
    /// (i + ½)/n quantile, then a seeded shuffle), so the whale share is a property of σ and n, not of the
    /// seed. Kinds: 15 % Morpho only, 25 % both protocols (60 % of their size on Aave), 60 % Aave only.
    /// On Aave, 18 % are e-mode loopers (wstETH collateral, WETH debt); the others hold WETH (65 %),
    /// wstETH (30 %), WBTC (25 %) against USDC and/or DAI. Morpho borrowers pick WETH/USDC 40 %,
    /// wstETH/USDC 20 %, wstETH/WETH 25 %, WBTC/USDC 15 %. Health factors follow <see cref="SampleMainnetLikeHealthFactor"/>.
    /// </summary>
    internal static IReadOnlyList<BorrowerPlan> GenerateMainnetLikeBorrowers(int seed, int count, int morphoMarkets, bool eModeOnlyCollateral = false)
    {
        var rng = new Random(seed);
        var price = AllReserves.ToDictionary(r => r.Symbol, r => (double)r.PriceUsd);
        // wstETH is priced WETH × ratio at the saved block.
        price["wstETH"] = (double)Reserves[0].PriceUsd * (double)(decimal)FinalRatio / 1e18;
        var spec = AllReserves.ToDictionary(r => r.Symbol);

        var sizes = new double[count];
        for (var i = 0; i < count; i++)
            sizes[i] = Math.Max(MinimumSizeUsd, MedianSizeUsd * Math.Exp(SizeSigma * InverseNormal((i + 0.5) / count)));
        rng.Shuffle(sizes);

        var plans = new List<BorrowerPlan>(count);
        for (var i = 0; i < count; i++)
        {
            var address = "0x" + Sha3Keccack.Current.CalculateHash($"defirisk-mainnet-like-borrower:{seed}:{i}")[24..];
            var size = sizes[i];
            var kind = rng.NextDouble();
            var morphoOnly = kind < 0.15;
            var both = !morphoOnly && kind < 0.40;

            var collateral = new List<PositionLeg>();
            var debt = new List<PositionLeg>();
            var eMode = false;
            var hf = 0.0;
            if (!morphoOnly)
            {
                hf = SampleMainnetLikeHealthFactor(rng);
                var aaveUsd = both ? size * 0.6 : size;
                eMode = rng.NextDouble() < 0.18;
                if (eMode)
                {
                    // wstETH looper: HF = collateral × ratio × e-mode LT / WETH debt. On 3.6 (an extra draw, so 3.0
                    // populations keep their bytes) 30 % loop the collateral that counts only in the e-mode instead.
                    var looped = eModeOnlyCollateral && rng.NextDouble() < 0.30 ? EModeOnlyReserve.Symbol : "wstETH";
                    collateral.Add(new PositionLeg(looped, Units((decimal)(aaveUsd / price[looped]), 18)));
                    debt.Add(new PositionLeg("WETH", Units((decimal)(aaveUsd * EModeLt / 10_000.0 / hf / price["WETH"]), 18)));
                }
                else
                {
                    var weights = new List<(string Symbol, double Weight)>();
                    if (rng.NextDouble() < 0.65) weights.Add(("WETH", 0.2 + rng.NextDouble()));
                    if (rng.NextDouble() < 0.30) weights.Add(("wstETH", 0.2 + rng.NextDouble()));
                    if (rng.NextDouble() < 0.25) weights.Add(("WBTC", 0.2 + rng.NextDouble()));
                    if (weights.Count == 0) weights.Add(("WETH", 1));
                    var total = weights.Sum(w => w.Weight);
                    double borrowingPower = 0; // Σ collateral USD × liquidation threshold
                    foreach (var (symbol, w) in weights)
                    {
                        var usd = aaveUsd * w / total;
                        collateral.Add(new PositionLeg(symbol, Units((decimal)(usd / price[symbol]), spec[symbol].Decimals)));
                        borrowingPower += usd * spec[symbol].LiquidationThreshold / 10_000.0;
                    }
                    var debtUsd = borrowingPower / hf;
                    var usdcShare = rng.NextDouble() switch { < 0.65 => 1.0, < 0.85 => 0.0, var u => 0.2 + (u - 0.85) * 4 };
                    if (usdcShare > 0) debt.Add(new PositionLeg("USDC", Units((decimal)(debtUsd * usdcShare), 6)));
                    if (usdcShare < 1) debt.Add(new PositionLeg("DAI", Units((decimal)(debtUsd * (1 - usdcShare)), 18)));
                }
            }

            MorphoLeg? morpho = null;
            if (morphoOnly || both)
            {
                var market = rng.NextDouble() switch { < 0.40 => 0, < 0.60 => 1, < 0.85 => 2, _ => 3 } % morphoMarkets;
                var (coll, loan, lltv) = MorphoMarketSpecs[market];
                var morphoHf = SampleMainnetLikeHealthFactor(rng);
                var collUsd = morphoOnly ? size : size * 0.4;
                var borrowTokens = collUsd * (double)(decimal)lltv / 1e18 / morphoHf / price[loan];
                morpho = new MorphoLeg(market,
                    Units((decimal)(collUsd / price[coll]), spec[coll].Decimals),
                    Units((decimal)borrowTokens, spec[loan].Decimals),
                    morphoHf);
            }
            plans.Add(new BorrowerPlan(address, eMode, collateral, debt, morpho, hf));
        }
        return plans;
    }

    /// <summary>
    /// Health factors as on mainnet: dense just above 1 (20 % in [1.01, 1.15)), 25 % in [1.15, 1.45),
    /// 40 % in [1.45, 2.2) — median about 1.54 — and a thinning tail of 15 % in [2.2, 4).
    /// </summary>
    private static double SampleMainnetLikeHealthFactor(Random rng)
    {
        var u = rng.NextDouble();
        var r = rng.NextDouble();
        return u switch
        {
            < 0.20 => 1.01 + 0.14 * r,
            < 0.45 => 1.15 + 0.30 * r,
            < 0.85 => 1.45 + 0.75 * r,
            _ => 2.20 + 1.80 * Math.Pow(r, 1.5),
        };
    }

    /// <summary>Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9), enough for a size quantile.</summary>
    internal static double InverseNormal(double p)
    {
        if (p <= 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        var x = p - 0.5;
        var s = x * x;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * x / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
