using System.Numerics;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace DefiRisk.Chain.Protocols.AaveV3;

/// <summary><c>scaledBalanceOf(user)</c> of an aToken or variable debt token (<c>IScaledBalanceToken</c>, every v3 release).</summary>
[Function("scaledBalanceOf", "uint256")]
public sealed class ScaledBalanceOfFunction : FunctionMessage
{
    [Parameter("address", "user", 1)] public string User { get; set; } = "";
}

/// <summary><c>getDiscountRateStrategy()</c>: answered only by GHO's discounted variable debt token (<c>GhoVariableDebtToken</c>).</summary>
[Function("getDiscountRateStrategy", "address")] public sealed class GetDiscountRateStrategyFunction : FunctionMessage;

/// <summary>
/// One round of Aave balances: each account's aToken and variable debt balances read as scaled balances and multiplied by
/// the reserve's index normalized to the pinned block (read in the round before), as the token's own <c>balanceOf</c> does —
/// ≤ 3.4 <c>rayMul</c> (half up), 3.5+ <c>TokenMath</c> (aToken floor, variable debt ceiling). <c>balanceOf</c> makes the
/// token call the pool for that index, which made it about four times the node's work of <c>scaledBalanceOf</c>
/// (the mainnet-like balances round: 135 ms against 30 ms on anvil).
/// <para>
/// A token whose balance is not that product is read with <c>balanceOf</c> in one more round: every token in the round
/// is checked on its first holder against <c>balanceOf</c> read in the same request, and a variable debt token that
/// answers <c>getDiscountRateStrategy()</c> (GHO before 3.4: a holder's discount lowers the balance) is read directly
/// whatever the check says. A token whose <c>scaledBalanceOf</c> fails is read directly too. Stable debt (≤ 3.1) accrues
/// per account: always <c>balanceOf</c>.
/// </para>
/// </summary>
internal sealed class AaveV3BalanceRound(ReadBatch batch, AaveV3Release release)
{
    private readonly List<Leg> _legs = [];
    private readonly Dictionary<string, Check> _checks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, RawReply> _discounts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One account's legs in one reserve: scaled aToken (collateral) and scaled variable debt (borrowing) reads.</summary>
    public void Add(int account, string user, AaveV3Reserve reserve, bool collateral, bool borrowing)
    {
        var leg = new Leg(account, user, reserve, collateral, borrowing,
            collateral ? Scaled(reserve.AToken.Value, user, reserve.LiquidityIndex, debt: false) : null,
            borrowing ? Scaled(reserve.VariableDebtToken.Value, user, reserve.VariableBorrowIndex, debt: true) : null,
            borrowing && release.HasStableDebt && !reserve.StableDebtToken.IsZero
                ? batch.Add<BalanceOfFunction, Uint256Output>(reserve.StableDebtToken.Value, new() { Account = user }) : null);
        _legs.Add(leg);
        if (borrowing && !_discounts.ContainsKey(reserve.VariableDebtToken.Value))
            _discounts[reserve.VariableDebtToken.Value] = batch.AddRaw(reserve.VariableDebtToken.Value, new GetDiscountRateStrategyFunction());
    }

    private Reply<Uint256Output> Scaled(string token, string user, BigInteger index, bool debt)
    {
        if (!_checks.ContainsKey(token))
            _checks[token] = new Check(token, index, debt, batch.Add<BalanceOfFunction, Uint256Output>(token, new() { Account = user }));
        var reply = batch.Add<ScaledBalanceOfFunction, Uint256Output>(token, new() { User = user });
        if (_checks[token].Scaled is null) _checks[token] = _checks[token] with { Scaled = reply };
        return reply;
    }

    /// <summary>
    /// After the round ran: the tokens whose scaled balances cannot stand for balanceOf get their legs' balanceOf added to
    /// <paramref name="next"/>; false when there are none (no further round).
    /// </summary>
    public bool AddDirectReads(ReadBatch next)
    {
        var direct = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (token, c) in _checks)
            if (c.Scaled is not { Ok: true } scaled || !c.BalanceOf.Ok || Balance(scaled.Value.Value, c.Index, c.Debt) != c.BalanceOf.Value.Value)
                direct.Add(token);
        foreach (var (token, probe) in _discounts)
            if (probe.Data is { Length: 66 } data && !EthRpc.ParseBig(data).IsZero) direct.Add(token);
        foreach (var leg in _legs)
        {
            if (leg.Supplied is { Ok: false }) direct.Add(leg.Reserve.AToken.Value);
            if (leg.Variable is { Ok: false }) direct.Add(leg.Reserve.VariableDebtToken.Value);
        }
        if (direct.Count == 0) return false;
        foreach (var leg in _legs)
        {
            if (leg.Collateral && direct.Contains(leg.Reserve.AToken.Value))
                leg.DirectSupplied = next.Add<BalanceOfFunction, Uint256Output>(leg.Reserve.AToken.Value, new() { Account = leg.User });
            if (leg.Borrowing && direct.Contains(leg.Reserve.VariableDebtToken.Value))
                leg.DirectVariable = next.Add<BalanceOfFunction, Uint256Output>(leg.Reserve.VariableDebtToken.Value, new() { Account = leg.User });
        }
        return true;
    }

    /// <summary>Each leg's balances (base units): supplied, variable debt, stable debt. A failed required read is a chain error.</summary>
    public IEnumerable<(int Account, AaveV3Reserve Reserve, bool Collateral, BigInteger Supplied, BigInteger Variable, BigInteger Stable)> Balances()
    {
        foreach (var leg in _legs)
            yield return (leg.Account, leg.Reserve, leg.Collateral,
                leg.DirectSupplied?.Value.Value ?? (leg.Supplied is { } s ? Balance(s.Value.Value, leg.Reserve.LiquidityIndex, debt: false) : BigInteger.Zero),
                leg.DirectVariable?.Value.Value ?? (leg.Variable is { } v ? Balance(v.Value.Value, leg.Reserve.VariableBorrowIndex, debt: true) : BigInteger.Zero),
                leg.Stable?.Value.Value ?? BigInteger.Zero);
    }

    /// <summary><c>balanceOf</c> of a scaled-balance token from its scaled balance and the index normalized to the block.</summary>
    private BigInteger Balance(BigInteger scaled, BigInteger index, bool debt) => Balance(scaled, index, debt, release.RulesRevision);

    /// <summary>
    /// ≤ 3.4: <c>scaled.rayMul(index)</c> (half up; the variable debt token answers 0 for 0 first, the same number).
    /// 3.5+ <c>TokenMath</c>: the aToken <c>rayMulFloor</c>, the variable debt token <c>rayMulCeil</c>.
    /// </summary>
    internal static BigInteger Balance(BigInteger scaled, BigInteger index, bool debt, int rulesRevision)
    {
        if (rulesRevision < AaveV3Revision.V3_5) return FixedPoint.RayMul(scaled, index);
        var quotient = BigInteger.DivRem(scaled * index, FixedPoint.Ray, out var remainder);
        return debt && !remainder.IsZero ? quotient + 1 : quotient;
    }

    private sealed class Leg(int account, string user, AaveV3Reserve reserve, bool collateral, bool borrowing,
        Reply<Uint256Output>? supplied, Reply<Uint256Output>? variable, Reply<Uint256Output>? stable)
    {
        public int Account { get; } = account;
        public string User { get; } = user;
        public AaveV3Reserve Reserve { get; } = reserve;
        public bool Collateral { get; } = collateral;
        public bool Borrowing { get; } = borrowing;
        public Reply<Uint256Output>? Supplied { get; } = supplied;
        public Reply<Uint256Output>? Variable { get; } = variable;
        public Reply<Uint256Output>? Stable { get; } = stable;
        public Reply<Uint256Output>? DirectSupplied { get; set; }
        public Reply<Uint256Output>? DirectVariable { get; set; }
    }

    /// <summary>A token's check: its first holder's scaled balance and balanceOf, read in the same request.</summary>
    private sealed record Check(string Token, BigInteger Index, bool Debt, Reply<Uint256Output> BalanceOf, Reply<Uint256Output>? Scaled = null);
}
