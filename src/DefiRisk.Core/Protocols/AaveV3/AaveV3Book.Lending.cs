using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

// The lending seam for Aave v3: account views through AaveV3AccountMath, the exact run, the fast rule.
public sealed partial record AaveV3Book
{
    public IExactLendingRun StartExact(AssetIndex assets) => new AaveV3ExactRun(this, assets);

    public FastLendingRule CompileFast(FastModelBuilder builder) => AaveV3FastRule.Compile(this, builder);

    public IEnumerable<string> MarketKeys() => Markets.Select(m => string.IsNullOrEmpty(m.Market.Name) ? m.Market.Pool.Value : m.Market.Name);

    /// <summary>
    /// <c>getUserAccountData</c> per account (<see cref="AaveV3AccountMath"/>) at reserve prices that follow the assets' USD
    /// prices (<see cref="AaveV3Oracle.ReservePrice"/>). Values: base currency → USD 8 decimals, and ÷ BASE_CURRENCY_UNIT as double.
    /// </summary>
    public IEnumerable<PositionHealth> Positions(AssetIndex assets, IReadOnlyList<BigInteger>? usdNow = null, Func<Address, bool>? exposedTo = null)
    {
        var index = 0;
        foreach (var state in Markets)
        {
            var m = state.Market;
            var name = string.IsNullOrEmpty(m.Name) ? m.Pool.Value : m.Name;
            Func<Address, BigInteger> price;
            if (usdNow is null) price = a => m.Reserve(a).OraclePrice;
            else
            {
                var prices = m.Reserves.ToDictionary(r => r.Asset, r =>
                {
                    var a = assets[r.Asset];
                    return AaveV3Oracle.ReservePrice(r.OraclePrice, assets.SnapshotUsd[a], usdNow[a]);
                });
                price = a => prices[a];
            }
            var unit = (double)m.BaseCurrencyUnit;
            var now = assets.Snapshot.Chain.BlockTimestamp;
            foreach (var account in state.Accounts)
            {
                var i = index++;
                var exposure = Exposure(account);
                if (exposedTo is not null && !exposure.Any(exposedTo)) continue;
                // GenericLogic.calculateUserAccountData (base currency = USD 1e8 on USD markets).
                var d = AaveV3AccountMath.Calculate(m, account, price);
                yield return new PositionHealth(i, name, account.Account, d.HasDebt ? d.HealthFactor : null, d.HasDebt && d.IsLiquidatable,
                    ToUsd8(d.TotalCollateralBase, m.BaseCurrencyUnit), ToUsd8(d.TotalDebtBase, m.BaseCurrencyUnit),
                    (double)d.TotalCollateralBase / unit, (double)d.TotalDebtBase / unit, exposure,
                    account.Reserves.Where(r => r.UsedAsCollateral && !r.Collateral.IsZero).Select(r => r.Asset).ToList(),
                    d.HasDebt && d.IsLiquidatable ? AaveV3GracePeriods.LiquidatableFrom(m, account, now, price) : null);
            }
        }
    }

    /// <summary>Reserves whose price moves the account: collateral in use with a balance, and debt.</summary>
    private static List<Address> Exposure(AaveV3Account account)
    {
        var list = new List<Address>(account.Reserves.Count);
        foreach (var r in account.Reserves)
            if ((r.UsedAsCollateral && !r.Collateral.IsZero) || !r.TotalDebt.IsZero) list.Add(r.Asset);
        return list;
    }

    private static BigInteger ToUsd8(BigInteger baseValue, BigInteger baseUnit) =>
        baseUnit == 100_000_000 || baseUnit.IsZero ? baseValue : baseValue * 100_000_000 / baseUnit;

    internal static bool HasDebt(AaveV3Account a)
    {
        foreach (var r in a.Reserves)
            if (!r.TotalDebt.IsZero) return true;
        return false;
    }
}
