using System.Text;
using DefiRisk.Core.Domain;

namespace DefiRisk.Storage;

/// <summary>
/// A canonical, line-per-row text form of a snapshot (every field, lists sorted by their natural key).
/// Two snapshots are the same data iff their texts are equal: used to prove round trips, idempotent
/// re-indexing and fault tolerance, and readable in a test failure diff.
/// </summary>
public static class SnapshotText
{
    public static string Canonical(Snapshot s)
    {
        var b = new StringBuilder();
        b.AppendLine($"chain {s.Chain.ChainId} block {s.Chain.BlockNumber} ts {s.Chain.BlockTimestamp}");
        foreach (var a in s.Assets.OrderBy(a => a.Address))
            b.AppendLine($"asset {a.Address} {a.Symbol} {a.Decimals} {a.PriceUsd} {a.Oracle.Kind} {a.Oracle.Source} {a.Oracle.BaseAsset} {a.Oracle.Ratio} {a.Oracle.RatioDecimals}");
        foreach (var st in s.AaveV3Markets.OrderBy(m => m.Market.Pool))
        {
            var m = st.Market;
            b.AppendLine($"aave {m.Pool} {m.Name} {m.Oracle} {m.DataProvider} rev {m.PoolRevision} unit {m.BaseCurrencyUnit}");
            foreach (var r in m.Reserves.OrderBy(r => r.Id))
                b.AppendLine($"  reserve {r.Id} {r.Asset} dec {r.Decimals} ltv {r.Ltv} lt {r.LiquidationThreshold} bonus {r.LiquidationBonus} fee {r.LiquidationProtocolFee} rf {r.ReserveFactor} " +
                             $"a{B(r.Active)} f{B(r.Frozen)} p{B(r.Paused)} b{B(r.BorrowingEnabled)} emode {r.EModeCategory} caps {r.BorrowCap}/{r.SupplyCap} " +
                             $"idx {r.LiquidityIndex}/{r.VariableBorrowIndex} price {r.OraclePrice} tokens {r.AToken} {r.VariableDebtToken} {r.StableDebtToken}");
            foreach (var e in m.EModeCategories.OrderBy(e => e.Id))
                b.AppendLine($"  emode {e.Id} {e.Ltv}/{e.LiquidationThreshold}/{e.LiquidationBonus} {e.PriceSource} '{e.Label}' {e.PriceSourcePrice} [{string.Join(",", e.CollateralAssets.Order())}]");
            foreach (var a in st.Accounts.OrderBy(a => a.Account))
            {
                b.AppendLine($"  account {a.Account} emode {a.EModeCategory}");
                foreach (var r in a.Reserves.OrderBy(r => r.Asset))
                    b.AppendLine($"    {r.Asset} coll {r.Collateral} used {B(r.UsedAsCollateral)} vdebt {r.VariableDebt} sdebt {r.StableDebt}");
            }
        }
        foreach (var mo in s.MorphoBlue.OrderBy(m => m.Morpho))
        {
            b.AppendLine($"morpho {mo.Morpho}");
            foreach (var m in mo.Markets.OrderBy(m => m.Id, StringComparer.Ordinal))
                b.AppendLine($"  market {m.Id} {m.LoanToken} {m.CollateralToken} {m.Oracle} {m.Irm} lltv {m.Lltv} supply {m.TotalSupplyAssets}/{m.TotalSupplyShares} " +
                             $"borrow {m.TotalBorrowAssets}/{m.TotalBorrowShares} last {m.LastUpdate} fee {m.Fee} price {m.OraclePrice}");
            foreach (var p in mo.Positions.OrderBy(p => p.MarketId, StringComparer.Ordinal).ThenBy(p => p.Account))
                b.AppendLine($"  position {p.MarketId} {p.Account} {p.SupplyShares} {p.BorrowShares} {p.Collateral}");
        }
        foreach (var p in s.UniswapV2Pools.OrderBy(p => p.Pair))
            b.AppendLine($"pair {p.Pair} {p.Token0} {p.Token1} {p.Reserve0} {p.Reserve1}");
        return b.ToString();
    }

    private static int B(bool v) => v ? 1 : 0;
}
