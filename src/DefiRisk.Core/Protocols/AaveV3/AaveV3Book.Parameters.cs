using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

// The lending seam's parameter rows for Aave v3: per pool, each reserve (PoolConfigurator's values), each e-mode
// category, and the liquidation rule's close-factor constants (which only a code upgrade changes).
public sealed partial record AaveV3Book
{
    public IEnumerable<RiskParameter> RiskParameters(Snapshot snapshot)
    {
        foreach (var state in Markets)
        {
            var m = state.Market;
            var market = string.IsNullOrEmpty(m.Name) ? m.Pool.Value : m.Name;
            RiskParameter Row(string subject, string name, ParameterUnit unit, System.Numerics.BigInteger? value = null, string? text = null) =>
                new(Protocol, market, subject, name, unit, value, text);
            foreach (var r in m.Reserves)
            {
                var symbol = snapshot.FindAsset(r.Asset)?.Symbol ?? r.Asset.Value;
                yield return Row(symbol, "LTV", ParameterUnit.Bps, r.Ltv);
                yield return Row(symbol, "LT", ParameterUnit.Bps, r.LiquidationThreshold);
                // Stored with the 100 % (10500); governance speaks of the premium (5 %).
                yield return Row(symbol, "bonus", ParameterUnit.Bps, r.LiquidationBonus == 0 ? 0 : r.LiquidationBonus - 10_000);
                yield return Row(symbol, "protocol fee (of the bonus)", ParameterUnit.Bps, r.LiquidationProtocolFee);
                yield return Row(symbol, "supply cap", ParameterUnit.WholeTokens, r.SupplyCap);
                yield return Row(symbol, "borrow cap", ParameterUnit.WholeTokens, r.BorrowCap);
                // 3.1+: listed only while it holds liquidations back at the snapshot's block (a proposal or payload that sets one
                // shows as – → its end); an ended grace period is no parameter anyone sets.
                var now = snapshot.Chain.BlockTimestamp;
                if (m.PoolRevision >= AaveV3Revision.V3_1 && r.LiquidationGracePeriodUntil >= now)
                    yield return Row(symbol, "liquidation grace period", ParameterUnit.Text,
                        text: $"until block time {r.LiquidationGracePeriodUntil.ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
                              $"(snapshot + {(r.LiquidationGracePeriodUntil - now).ToString(System.Globalization.CultureInfo.InvariantCulture)} s)");
            }
            foreach (var e in m.EModeCategories)
            {
                var subject = $"e-mode {e.Id} ({e.Label})";
                yield return Row(subject, "LTV", ParameterUnit.Bps, e.Ltv);
                yield return Row(subject, "LT", ParameterUnit.Bps, e.LiquidationThreshold);
                yield return Row(subject, "bonus", ParameterUnit.Bps, e.LiquidationBonus == 0 ? 0 : e.LiquidationBonus - 10_000);
                yield return Row(subject, "collateral", ParameterUnit.Text,
                    text: string.Join(", ", e.CollateralAssets.Select(a => snapshot.FindAsset(a)?.Symbol ?? a.Value)));
            }
            var rule = LiquidationRule;
            yield return Row("liquidation rule", "close factor", ParameterUnit.Bps, rule.CloseFactor);
            yield return Row("liquidation rule", "100% closable below HF", ParameterUnit.WadFactor, rule.FullCloseHealthFactor);
        }
    }
}
