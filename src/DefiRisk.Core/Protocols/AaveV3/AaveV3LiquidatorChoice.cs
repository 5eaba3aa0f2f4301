using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Which (collateral, debt) pair a liquidator passes to <c>liquidationCall</c> — a modelling decision, not a
/// contract rule, stated here so an on-chain replay can mirror it:
/// <list type="number">
/// <item>Debt reserves the account owes, active and not paused, ordered by value (⌊debt·price/10^dec⌋, base
/// currency) descending, then by asset address ascending.</item>
/// <item>Collateral reserves with the collateral bit set, a non-zero balance and LT ≠ 0 (≤ 3.5), active and not paused,
/// ordered by the bonus that applies (e-mode bonus when the asset is in the account's category) descending, then
/// value descending, then address ascending.</item>
/// <item>Pairs are tried debt-major in that order: (d1,c1), (d1,c2), …, (d2,c1) …; the first pair the rule
/// executes is used, always with <c>debtToCover = type(uint256).max</c> and <c>receiveAToken = false</c>.</item>
/// </list>
/// </summary>
public static class AaveV3LiquidatorChoice
{
    public static IReadOnlyList<(Address Collateral, Address Debt)> CandidatePairs(AaveV3Market market, AaveV3Account account, Func<Address, BigInteger> price)
    {
        var eMode = market.EMode(account.EModeCategory);
        var debts = new List<(Address Asset, BigInteger Value)>();
        var colls = new List<(Address Asset, int Bonus, BigInteger Value)>();
        foreach (var p in account.Reserves)
        {
            var r = market.Reserve(p.Asset);
            if (!r.Active || r.Paused) continue;
            var unit = FixedPoint.Pow10(r.Decimals);
            if (!p.TotalDebt.IsZero) debts.Add((p.Asset, p.TotalDebt * price(p.Asset) / unit));
            if (p.UsedAsCollateral && !p.Collateral.IsZero && (r.LiquidationThreshold != 0 || market.PoolRevision >= AaveV3Revision.V3_6))
            {
                var bonus = eMode is not null && eMode.Contains(p.Asset) ? eMode.LiquidationBonus : r.LiquidationBonus;
                colls.Add((p.Asset, bonus, p.Collateral * price(p.Asset) / unit));
            }
        }
        debts.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Asset.CompareTo(b.Asset));
        colls.Sort((a, b) => a.Bonus != b.Bonus ? b.Bonus.CompareTo(a.Bonus)
            : a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Asset.CompareTo(b.Asset));
        var pairs = new List<(Address, Address)>(debts.Count * colls.Count);
        foreach (var d in debts)
            foreach (var c in colls)
                pairs.Add((c.Asset, d.Asset));
        return pairs;
    }
}
