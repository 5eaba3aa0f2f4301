namespace DefiRisk.Core.Lending;

/// <summary>
/// One protocol's liquidation rule, mirroring its contract: a parameter object in (who, which pair, how much,
/// at which oracle prices), a decision out that either carries the exact amounts and the state after the call,
/// or a <c>Reason</c> naming the check that would have reverted. Pure: the rule never mutates its input.
/// </summary>
public interface ILiquidationRule<in TContext, out TDecision>
{
    TDecision Decide(TContext context);
}
