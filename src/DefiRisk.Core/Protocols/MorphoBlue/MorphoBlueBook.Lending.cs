using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

// The lending seam for Morpho Blue: position views through MorphoBlueMath, the exact run, the fast rule.
public sealed partial record MorphoBlueBook
{
    public IExactLendingRun StartExact(AssetIndex assets) => new MorphoBlueExactRun(this, assets);

    public FastLendingRule CompileFast(FastModelBuilder builder) => MorphoBlueFastRule.Compile(this, builder);

    public IEnumerable<string> MarketKeys() => Instances.SelectMany(st => st.Markets).Select(m => m.Id);

    /// <summary>
    /// Each position at <c>price()</c> values that follow the assets' USD prices through the oracle's feeds (<see cref="MorphoBlueOracle"/>):
    /// HF = ⌊collateral·price/1e36⌋·lltv/borrowed (wad, no on-chain equivalent), liquidatable when not <c>_isHealthy</c>.
    /// USD 8 decimals: collateral in loan units × loan price; doubles: collateral × its USD price, borrowed × loan price.
    /// </summary>
    public IEnumerable<PositionHealth> Positions(AssetIndex assets, IReadOnlyList<BigInteger>? usdNow = null, Func<Address, bool>? exposedTo = null)
    {
        var index = 0;
        foreach (var state in Instances)
        {
            var markets = state.Markets.ToDictionary(m => m.Id);
            foreach (var p in state.Positions)
            {
                var i = index++;
                var m = markets.TryGetValue(p.MarketId, out var mk) ? mk
                    : throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot");
                IReadOnlyList<Address> exposure = [m.CollateralToken, m.LoanToken];
                if (exposedTo is not null && !exposure.Any(exposedTo)) continue;
                int c = assets[m.CollateralToken], l = assets[m.LoanToken];
                BigInteger cUsd = usdNow?[c] ?? assets.SnapshotUsd[c], lUsd = usdNow?[l] ?? assets.SnapshotUsd[l];
                var price = usdNow is null ? m.OraclePrice : MorphoBlueOracle.Price(m, assets, usdNow);
                var borrowed = MorphoBlueMath.BorrowedAssets(m, p.BorrowShares);
                var collateralInLoan = FixedPoint.MulDivDown(p.Collateral, price, FixedPoint.OraclePriceScale);
                var unit = FixedPoint.Pow10(assets.Assets[l].Decimals);
                yield return new PositionHealth(i, m.Id, p.Account, borrowed.IsZero ? null : MorphoBlueMath.HealthFactor(m, p, price),
                    !p.BorrowShares.IsZero && !MorphoBlueMath.IsHealthy(m, p, price),
                    collateralInLoan * lUsd / unit, borrowed * lUsd / unit,
                    UsdValue(p.Collateral, assets.Assets[c].Decimals, cUsd), UsdValue(borrowed, assets.Assets[l].Decimals, lUsd), exposure,
                    p.Collateral.IsZero ? [] : [m.CollateralToken]);
            }
        }
    }

    private static double UsdValue(BigInteger amount, int decimals, BigInteger priceUsd8) =>
        (double)amount * (double)priceUsd8 / 1e8 / Math.Pow(10, decimals);
}
