using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.MorphoBlue;

// The lending seam's parameter rows for Morpho Blue: a market's LLTV, the liquidation incentive factor Morpho derives
// from it, and its oracle (all immutable per market: a proposal changes them only by migrating borrowers).
public sealed partial record MorphoBlueBook
{
    public IEnumerable<RiskParameter> RiskParameters(Snapshot snapshot)
    {
        foreach (var instance in Instances)
            foreach (var m in instance.Markets)
            {
                var pair = $"{snapshot.FindAsset(m.CollateralToken)?.Symbol ?? m.CollateralToken.Value}/{snapshot.FindAsset(m.LoanToken)?.Symbol ?? m.LoanToken.Value}";
                yield return new RiskParameter(Protocol, m.Id, pair, "LLTV", ParameterUnit.WadPercent, m.Lltv);
                yield return new RiskParameter(Protocol, m.Id, pair, "LIF", ParameterUnit.WadFactor, MorphoBlueMath.LiquidationIncentiveFactor(m.Lltv));
                yield return new RiskParameter(Protocol, m.Id, pair, "oracle", ParameterUnit.Text, Text: m.Oracle.Value);
            }
    }
}
