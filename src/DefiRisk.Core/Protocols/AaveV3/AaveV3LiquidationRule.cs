using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// One <c>Pool.liquidationCall(collateralAsset, debtAsset, user, debtToCover, receiveAToken = false)</c>.
/// <see cref="OraclePrice"/> returns <c>AaveOracle.getAssetPrice</c> (base-currency units) for a reserve asset;
/// pass <see cref="MaxDebtToCover"/> (<c>type(uint256).max</c>) for "as much as the close factor allows".
/// <see cref="ReceiveAToken"/>: false = the liquidator withdraws the seized collateral as underlying (what a liquidator
/// who sells it must do). <see cref="BlockTimestamp"/>: the call's <c>block.timestamp</c> (unix seconds), against which the
/// 3.1+ liquidation grace periods are checked; null = not checked (a caller that does not model time).
/// </summary>
public sealed record AaveV3LiquidationContext(
    AaveV3Market Market,
    AaveV3Account Account,
    Address CollateralAsset,
    Address DebtAsset,
    BigInteger DebtToCover,
    Func<Address, BigInteger> OraclePrice,
    bool ReceiveAToken = false,
    long? BlockTimestamp = null)
{
    public static BigInteger MaxDebtToCover => FixedPoint.UInt256Max;
}

/// <summary>A reserve deficit created by a v3.3+ liquidation that left the account without collateral (base units of <see cref="Asset"/>).</summary>
public sealed record AaveV3Deficit(Address Asset, BigInteger Amount);

/// <summary>
/// Outcome of one liquidation call. Amounts in base units: <see cref="DebtRepaid"/> of the debt asset (what the
/// liquidator pays, <c>LiquidationCall.debtToCover</c>), <see cref="CollateralToLiquidator"/> of the collateral
/// (<c>liquidatedCollateralAmount</c>, fee excluded), <see cref="ProtocolFee"/> to the treasury. The borrower
/// loses <see cref="CollateralFromBorrower"/> = both. <see cref="Reason"/> is the contract's error when not executed.
/// </summary>
public sealed record AaveV3LiquidationDecision(
    bool Executed,
    string? Reason,
    BigInteger HealthFactor,
    BigInteger DebtRepaid,
    BigInteger CollateralToLiquidator,
    BigInteger ProtocolFee,
    BigInteger CollateralPrice,
    BigInteger DebtPrice,
    int LiquidationBonus,
    IReadOnlyList<AaveV3Deficit> Deficits,
    AaveV3Account AccountAfter)
{
    public BigInteger CollateralFromBorrower => CollateralToLiquidator + ProtocolFee;

    internal static AaveV3LiquidationDecision Revert(string reason, BigInteger hf, AaveV3Account account) =>
        new(false, reason, hf, 0, 0, 0, 0, 0, 0, [], account);
}

/// <summary>
/// Mirrors <c>LiquidationLogic.executeLiquidationCall</c> for the deployed <see cref="AaveV3Market.PoolRevision"/>:
/// <list type="bullet">
/// <item>≤ v3.2 (aave-v3-core 1.19 / origin 3.1–3.2): close factor 50 % of the debt reserve's balance when
/// HF &gt; 0.95e18 (<c>_calculateDebt</c>: <c>healthFactor &gt; CLOSE_FACTOR_HF_THRESHOLD ? DEFAULT : MAX</c>), else 100 %;
/// no dust rule; an account left without collateral keeps its debt.</item>
/// <item>≥ v3.3: close factor against the whole position (50 % of total debt value) only when both legs are
/// ≥ 2000e8 base and HF &gt; 0.95e18; <c>MUST_NOT_LEAVE_DUST</c> below 1000e8; when the seized collateral equals the
/// whole collateral value, all debt is burned and the uncovered part becomes reserve deficit.</item>
/// <item>≥ v3.5: debt values round up (<c>mulDivCeil</c>) in the close-factor and dust tests, and the debt needed to
/// seize the whole collateral balance rounds up (<c>percentDivCeil</c>).</item>
/// </list>
/// <c>_calculateAvailableCollateralToLiquidate</c> is shared by all: base = ⌊pD·debt·uC / (pC·uD)⌋,
/// max = percentMul(base, bonus); if max &gt; balance: seize the balance and debt = percentDiv(⌊pC·bal·uD/(pD·uC)⌋, bonus);
/// fee = percentMul(seized − percentDiv(seized, bonus), protocolFee). v3.7's floor/ceil variants are not modelled
/// (its revision is treated as v3.5+). With known indexes, balances left follow the tokens' scaled arithmetic — ≤ v3.4
/// half up (<see cref="AfterScaledBurn"/>), ≥ v3.5 TokenMath (<see cref="AfterTokenMathDebtBurn"/>,
/// <see cref="AfterTokenMathCollateralTaken"/>) — and the fee sent to the treasury is capped at the user's scaled balance
/// left (the contract's 1-wei guard), so repeated calls on one account match the chain to the wei. Every release has that guard:
/// ≤ v3.4 with half-up rayDiv/rayMul (3.3 and 3.4 apply it after the dust check), ≥ v3.5 with TokenMath's directed rounding (burn
/// and transfer round the scaled amount up, balances round down).
/// </summary>
public sealed class AaveV3LiquidationRule : ILiquidationRule<AaveV3LiquidationContext, AaveV3LiquidationDecision>
{
    /// <summary><c>CLOSE_FACTOR_HF_THRESHOLD</c> = 0.95e18 (wad).</summary>
    public static readonly BigInteger CloseFactorHfThreshold = 950_000_000_000_000_000;
    /// <summary><c>DEFAULT_LIQUIDATION_CLOSE_FACTOR</c> = 0.5e4 (bps).</summary>
    public const int DefaultCloseFactor = 5_000;
    /// <summary><c>MAX_LIQUIDATION_CLOSE_FACTOR</c> = 1e4 (bps).</summary>
    public const int MaxCloseFactor = 10_000;
    /// <summary>v3.3+ <c>MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD</c> = 2000e8 (base currency).</summary>
    public static readonly BigInteger MinBaseMaxCloseFactorThreshold = 2000_00000000;
    /// <summary>v3.3+ <c>MIN_LEFTOVER_BASE</c> = 1000e8 (base currency).</summary>
    public static readonly BigInteger MinLeftoverBase = 1000_00000000;

    /// <summary>The v3.3+ dust revert (<c>Errors.MUST_NOT_LEAVE_DUST</c>; v3.4+ <c>MustNotLeaveDust()</c>).</summary>
    public const string MustNotLeaveDust = "MUST_NOT_LEAVE_DUST";

    /// <summary>v3.1+ <c>ValidationLogic.validateLiquidationCall</c>: the block time is at or before the collateral's or the debt's
    /// <c>liquidationGracePeriodUntil</c> (<c>Errors.LIQUIDATION_GRACE_SENTINEL_CHECK_FAILED</c>; v3.4+ <c>LiquidationGraceSentinelCheckFailed()</c>).</summary>
    public const string LiquidationGraceSentinelCheckFailed = "LIQUIDATION_GRACE_SENTINEL_CHECK_FAILED";

    /// <summary>
    /// v3.1+ with <c>receiveAToken = false</c>: the underlying to withdraw exceeds the collateral reserve's virtual balance (its
    /// cash; e.g. a reserve at 100 % utilisation). <c>_burnCollateralATokens</c> → <c>updateInterestRatesAndVirtualBalance</c>
    /// computes <c>virtualUnderlyingBalance + added − taken</c> and reverts with <c>Panic(0x11)</c> (arithmetic underflow).
    /// </summary>
    public const string NotEnoughCash = "Panic(0x11): the collateral reserve's virtual balance is below the underlying to withdraw";

    /// <summary>
    /// Before 3.1 with <c>receiveAToken = false</c>: the underlying to withdraw exceeds the collateral aToken's balance of it.
    /// <c>_burnCollateralATokens</c> → <c>AToken.burn</c> transfers it out before the liquidator pays the debt in (the last step),
    /// so the token's own transfer reverts (its message, e.g. "ERC20: transfer amount exceeds balance").
    /// </summary>
    public const string NotEnoughUnderlying = "the collateral aToken holds less underlying than the liquidator takes (the token transfer reverts)";

    public static AaveV3LiquidationRule Instance { get; } = new();

    /// <summary>
    /// A rule with other close-factor constants — a code upgrade a proposal may ask for (<c>DEFAULT_LIQUIDATION_CLOSE_FACTOR</c>
    /// in bps, <c>CLOSE_FACTOR_HF_THRESHOLD</c> in wad); the deployed values are the defaults.
    /// </summary>
    public AaveV3LiquidationRule(int closeFactor = DefaultCloseFactor, BigInteger? fullCloseHealthFactor = null)
    {
        if (closeFactor is < 1 or > MaxCloseFactor) throw new DefiRiskException($"Aave close factor {closeFactor} bps must be in [1, {MaxCloseFactor}]");
        CloseFactor = closeFactor;
        FullCloseHealthFactor = fullCloseHealthFactor ?? CloseFactorHfThreshold;
    }

    /// <summary>Share of the debt (bps) one call may repay while HF &gt; <see cref="FullCloseHealthFactor"/>.</summary>
    public int CloseFactor { get; }

    /// <summary>HF (wad) at or below which the whole debt may be repaid.</summary>
    public BigInteger FullCloseHealthFactor { get; }

    public AaveV3LiquidationDecision Decide(AaveV3LiquidationContext c)
    {
        var market = c.Market;
        var account = c.Account;
        var v33 = market.PoolRevision >= AaveV3Revision.V3_3;
        var v35 = market.PoolRevision >= AaveV3Revision.V3_5;

        var data = AaveV3AccountMath.Calculate(market, account, c.OraclePrice);
        var hf = data.HealthFactor;
        var collReserve = market.Reserve(c.CollateralAsset);
        var debtReserve = market.Reserve(c.DebtAsset);
        var collPos = Find(account, c.CollateralAsset);
        var debtPos = Find(account, c.DebtAsset);
        var userDebt = debtPos?.TotalDebt ?? BigInteger.Zero;
        var userColl = collPos?.Collateral ?? BigInteger.Zero;

        // ValidationLogic.validateLiquidationCall, in the contract's order.
        if (!collReserve.Active || !debtReserve.Active) return AaveV3LiquidationDecision.Revert("RESERVE_INACTIVE", hf, account);
        if (collReserve.Paused || debtReserve.Paused) return AaveV3LiquidationDecision.Revert("RESERVE_PAUSED", hf, account);
        // 3.1+: require(collateral.liquidationGracePeriodUntil < block.timestamp && debt.liquidationGracePeriodUntil < block.timestamp).
        if (c.BlockTimestamp is { } now && AaveV3GracePeriods.HeldBackUntil(market, collReserve, debtReserve) >= now)
            return AaveV3LiquidationDecision.Revert(LiquidationGraceSentinelCheckFailed, hf, account);
        if (hf >= FixedPoint.Wad) return AaveV3LiquidationDecision.Revert("HEALTH_FACTOR_NOT_BELOW_THRESHOLD", hf, account);
        // ≤ 3.5 also requires the reserve's own LT ≠ 0; 3.6 dropped that.
        if ((collReserve.LiquidationThreshold == 0 && market.PoolRevision < AaveV3Revision.V3_6) || collPos is null || !collPos.UsedAsCollateral)
            return AaveV3LiquidationDecision.Revert("COLLATERAL_CANNOT_BE_LIQUIDATED", hf, account);
        if (userDebt.IsZero) return AaveV3LiquidationDecision.Revert("SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER", hf, account);

        // Bonus and prices (≤ 3.1 _getConfigurationData: an e-mode price source replaces the collateral price when
        // the collateral is in the category, and the debt price whenever the user is in e-mode).
        var eMode = market.EMode(account.EModeCategory);
        var collInEMode = eMode is not null && eMode.Contains(c.CollateralAsset);
        var bonus = collInEMode ? eMode!.LiquidationBonus : collReserve.LiquidationBonus;
        var eModeSource = eMode?.PriceSourcePrice is { } sp && !sp.IsZero ? sp : (BigInteger?)null;
        var pC = collInEMode && eModeSource is { } s1 ? s1 : c.OraclePrice(c.CollateralAsset);
        var pD = eModeSource ?? c.OraclePrice(c.DebtAsset);
        var uC = FixedPoint.Pow10(collReserve.Decimals);
        var uD = FixedPoint.Pow10(debtReserve.Decimals);

        BigInteger maxDebt;
        if (!v33)
        {
            var closeFactor = hf > FullCloseHealthFactor ? CloseFactor : MaxCloseFactor;
            maxDebt = FixedPoint.PercentMul(userDebt, closeFactor);
        }
        else
        {
            var debtBase = v35 ? FixedPoint.MulDivUp(userDebt, pD, uD) : userDebt * pD / uD;
            var collBase = userColl * pC / uC;
            maxDebt = userDebt;
            if (collBase >= MinBaseMaxCloseFactorThreshold && debtBase >= MinBaseMaxCloseFactorThreshold && hf > FullCloseHealthFactor)
            {
                var half = FixedPoint.PercentMul(data.TotalDebtBase, CloseFactor);
                if (debtBase > half) maxDebt = half * uD / pD;
            }
        }
        var actualDebt = c.DebtToCover > maxDebt ? maxDebt : c.DebtToCover;

        // _calculateAvailableCollateralToLiquidate
        var baseCollateral = pD * actualDebt * uC / (pC * uD);
        var maxCollateral = FixedPoint.PercentMul(baseCollateral, bonus);
        BigInteger collateralAmount;
        if (maxCollateral > userColl)
        {
            collateralAmount = userColl;
            // v3.5.0+ rounds this debt up (percentDivCeil, LiquidationLogic._calculateAvailableCollateralToLiquidate).
            var debtForAll = pC * collateralAmount * uD / (pD * uC);
            actualDebt = v35 ? FixedPoint.PercentDivCeil(debtForAll, bonus) : FixedPoint.PercentDiv(debtForAll, bonus);
        }
        else collateralAmount = maxCollateral;
        var collateralToLiquidateBase = collateralAmount * pC / uC; // v3.3+ hasNoCollateralLeft input (fee included)
        BigInteger fee = 0;
        if (collReserve.LiquidationProtocolFee != 0)
        {
            var bonusCollateral = collateralAmount - FixedPoint.PercentDiv(collateralAmount, bonus);
            fee = FixedPoint.PercentMul(bonusCollateral, collReserve.LiquidationProtocolFee);
        }
        var toLiquidator = collateralAmount - fee;
        if (!v33 && !fee.IsZero && !collReserve.LiquidityIndex.IsZero)
        {
            // ≤ 3.2 executeLiquidationCall, after burning the liquidator's part: "to avoid trying to send more aTokens than
            // available on balance, due to 1 wei imprecision" the fee sent is capped at the user's scaled balance left.
            var idx = collReserve.LiquidityIndex;
            var scaledLeft = FixedPoint.RayDiv(userColl, idx) - FixedPoint.RayDiv(toLiquidator, idx);
            if (FixedPoint.RayDiv(fee, idx) > scaledLeft) fee = FixedPoint.RayMul(BigInteger.Max(scaledLeft, BigInteger.Zero), idx);
        }

        if (v33 && actualDebt < userDebt && toLiquidator + fee < userColl)
        {
            // The released contract (v3.3.0 tag onwards) measures the collateral left after the fee too:
            // (balance − actualCollateralToLiquidate − liquidationProtocolFeeAmount) · price / unit, floor.
            var debtLeft = v35 ? FixedPoint.MulDivUp(userDebt - actualDebt, pD, uD) : (userDebt - actualDebt) * pD / uD;
            var collLeft = (userColl - toLiquidator - fee) * pC / uC;
            if (debtLeft < MinLeftoverBase || collLeft < MinLeftoverBase)
                return AaveV3LiquidationDecision.Revert(MustNotLeaveDust, hf, account);
        }

        // receiveAToken = false, the underlying leaves the collateral reserve. 3.1+ virtual accounting: the debt repaid enters the
        // debt reserve's virtual balance first (_burnDebtTokens), then the collateral's leaves (_burnCollateralATokens). Before 3.1
        // the aToken's balance of the underlying, and the liquidator pays the debt in last (safeTransferFrom after the burn).
        if (!c.ReceiveAToken && collReserve.Cash is { } cash)
        {
            var first = collReserve.RepaymentArrivesFirst;
            var available = cash + (first && c.CollateralAsset == c.DebtAsset ? actualDebt : BigInteger.Zero);
            if (toLiquidator > available) return AaveV3LiquidationDecision.Revert(first ? NotEnoughCash : NotEnoughUnderlying, hf, account);
        }

        if (v33 && !v35 && !fee.IsZero && !collReserve.LiquidityIndex.IsZero)
        {
            // 3.3 and 3.4 keep ≤ 3.2's guard, now after the dust check (which saw the uncapped fee): scaled fee = rayDiv(fee, index)
            // (half up) against the borrower's scaled balance left after the liquidator's rayDiv-scaled part; if above, the fee becomes
            // rayMul(left, index). aave-v3-origin v3.3.0 LiquidationLogic.sol lines 391–400 and v3.4.0 lines 359–368, with
            // ScaledBalanceTokenBase._burnScaled / AToken._transfer scaling by rayDiv in both tags.
            var idx = collReserve.LiquidityIndex;
            var scaledLeft = FixedPoint.RayDiv(userColl, idx) - FixedPoint.RayDiv(toLiquidator, idx);
            if (FixedPoint.RayDiv(fee, idx) > scaledLeft) fee = FixedPoint.RayMul(BigInteger.Max(scaledLeft, BigInteger.Zero), idx);
        }
        if (v35 && !fee.IsZero && !collReserve.LiquidityIndex.IsZero)
        {
            // ≥ 3.5 (TokenMath), after the dust check: the liquidator's part is burned as ⌈amount ÷ index⌉ scaled, the fee moves
            // ⌈fee ÷ index⌉ scaled, capped at the scaled balance left, in which case the fee becomes ⌊left × index⌋. The scaled
            // balance is ⌈balance ÷ index⌉ exactly: balanceOf = ⌊scaled × index⌋ is injective while index ≥ 1 ray.
            var idx = collReserve.LiquidityIndex;
            var scaledLeft = FixedPoint.MulDivUp(userColl, FixedPoint.Ray, idx) - FixedPoint.MulDivUp(toLiquidator, FixedPoint.Ray, idx);
            if (FixedPoint.MulDivUp(fee, FixedPoint.Ray, idx) > scaledLeft) fee = BigInteger.Max(scaledLeft, BigInteger.Zero) * idx / FixedPoint.Ray;
        }

        var hasNoCollateralLeft = v33 && data.TotalCollateralBase == collateralToLiquidateBase;
        var deficits = new List<AaveV3Deficit>();
        var reserves = new List<AaveV3AccountReserve>(account.Reserves.Count);
        foreach (var r in account.Reserves)
        {
            var next = r;
            if (r.Asset == c.DebtAsset)
            {
                // _burnDebtTokens: variable first, then stable (≤ 3.1); 3.3+ burns all of it when no collateral is left.
                var burn = hasNoCollateralLeft ? userDebt : actualDebt;
                var fromVariable = FixedPoint.Min(burn, r.VariableDebt);
                // ≤ 3.4 VariableDebtToken.burn removes rayDiv(amount, index) (half up); 3.5+ TokenMath floors it.
                var variableLeft = v35 ? AfterTokenMathDebtBurn(r.VariableDebt, debtReserve.VariableBorrowIndex, fromVariable)
                    : AfterScaledBurn(r.VariableDebt, debtReserve.VariableBorrowIndex, fromVariable, 0);
                next = next with { VariableDebt = variableLeft, StableDebt = r.StableDebt - (burn - fromVariable) };
                if (hasNoCollateralLeft && userDebt > actualDebt) deficits.Add(new AaveV3Deficit(r.Asset, userDebt - actualDebt));
            }
            if (r.Asset == c.CollateralAsset)
            {
                // The liquidator's part leaves by AToken.burn (or transferOnLiquidation with receiveAToken; both scale alike), the fee
                // by transferOnLiquidation to the treasury: ≤ 3.4 each moves rayDiv(amount, index) (half up), 3.5+ TokenMath moves
                // ⌈amount ÷ index⌉ and the balance is ⌊scaled × index⌋. Every release clears the collateral bit when the amounts taken
                // (the fee before its cap) equal the balance read, even if a scaled wei stays behind.
                var left = v35 ? AfterTokenMathCollateralTaken(r.Collateral, collReserve.LiquidityIndex, toLiquidator, fee)
                    : AfterScaledBurn(r.Collateral, collReserve.LiquidityIndex, toLiquidator, fee);
                next = next with { Collateral = left, UsedAsCollateral = r.UsedAsCollateral && collateralAmount != userColl };
            }
            reserves.Add(next);
        }
        if (hasNoCollateralLeft)
        {
            // _burnBadDebt: every other (active) debt reserve of the account is burned into its deficit.
            for (var i = 0; i < reserves.Count; i++)
            {
                var r = reserves[i];
                if (r.Asset == c.DebtAsset || r.TotalDebt.IsZero || !market.Reserve(r.Asset).Active) continue;
                deficits.Add(new AaveV3Deficit(r.Asset, r.TotalDebt));
                reserves[i] = r with { VariableDebt = 0, StableDebt = 0 };
            }
        }

        return new AaveV3LiquidationDecision(true, null, hf, actualDebt, toLiquidator, fee, pC, pD, bonus, deficits,
            account with { Reserves = reserves });
    }

    /// <summary>
    /// The market after an executed call <paramref name="d"/> of <paramref name="c"/>: the reserves' state a later call sees.
    /// Virtual balances (3.1+): the debt reserve gains the debt repaid; with <c>receiveAToken = false</c> the collateral reserve
    /// loses the underlying withdrawn. Isolation mode: when the collateral has a debt ceiling, its <c>isolationModeTotalDebt</c>
    /// falls by the debt repaid in 2-decimal units, floored at 0 (<c>IsolationModeLogic.updateIsolatedDebt</c>; the deficit part is
    /// not discounted, by design). Deficits (3.3+) add to each reserve's <c>deficit</c>.
    /// </summary>
    public static AaveV3Market MarketAfter(AaveV3LiquidationContext c, AaveV3LiquidationDecision d)
    {
        var market = c.Market;
        if (!d.Executed) return market;
        var debtDecimals = market.Reserve(c.DebtAsset).Decimals;
        var reserves = new List<AaveV3Reserve>(market.Reserves.Count);
        foreach (var r in market.Reserves)
        {
            var next = r;
            if (r.Asset == c.DebtAsset) next = next.WithCashMoved(d.DebtRepaid);
            if (r.Asset == c.CollateralAsset)
            {
                if (!c.ReceiveAToken) next = next.WithCashMoved(-d.CollateralToLiquidator);
                if (!r.DebtCeiling.IsZero)
                {
                    var repaid = d.DebtRepaid / FixedPoint.Pow10(Math.Max(0, debtDecimals - DebtCeilingDecimals));
                    next = next with { IsolationModeTotalDebt = r.IsolationModeTotalDebt > repaid ? r.IsolationModeTotalDebt - repaid : BigInteger.Zero };
                }
            }
            foreach (var x in d.Deficits)
                if (x.Asset == r.Asset) next = next with { Deficit = next.Deficit + x.Amount };
            reserves.Add(next);
        }
        return market with { Reserves = reserves };
    }

    /// <summary><c>ReserveConfiguration.DEBT_CEILING_DECIMALS</c>: debt ceilings and isolation-mode debt are USD with 2 decimals.</summary>
    public const int DebtCeilingDecimals = 2;

    /// <summary>
    /// The balance left after taking <paramref name="first"/> and then <paramref name="second"/> (base units) from a
    /// scaled-balance token (≤ 3.4 AToken / VariableDebtToken; aave-v3-origin v3.3.0 and v3.4.0 still scale by rayDiv): the token holds scaled = ⌊balance ÷ index⌉ and each burn or
    /// transfer moves amount.rayDiv(index) (<c>ScaledBalanceTokenBase._burnScaled</c>, <c>AToken._transfer</c> of the
    /// liquidation fee), and <c>balanceOf</c> = scaled.rayMul(index). So the balance left can differ by a wei from
    /// balance − amounts, and a later call on the same account sees that. <paramref name="index"/> (ray) is the reserve's
    /// index normalized to the snapshot timestamp, which the call's updateState sets; rayDiv(balance, index) recovers the
    /// scaled balance exactly while index ≥ 1 ray. Index 0 (unknown): plain subtraction.
    /// </summary>
    internal static BigInteger AfterScaledBurn(BigInteger balance, BigInteger index, BigInteger first, BigInteger second)
    {
        if (index.IsZero) return balance - first - second;
        var scaled = FixedPoint.RayDiv(balance, index) - FixedPoint.RayDiv(first, index) - FixedPoint.RayDiv(second, index);
        return scaled.Sign <= 0 ? BigInteger.Zero : FixedPoint.RayMul(scaled, index);
    }

    /// <summary>
    /// ≥ 3.5 (TokenMath) variable debt left after a burn of <paramref name="amount"/>: the token holds scaled debt, balanceOf is
    /// ⌈scaled·index⌉ (so scaled = ⌊balance ÷ index⌋ while index ≥ 1 ray) and a burn removes ⌊amount ÷ index⌋ scaled (the
    /// borrower keeps the rounding). Plain subtraction was a wei short on a second call on the same account (the
    /// mainnet-like replay on 3.6: WETH −8 %, a wstETH then a WETH seizure against DAI debt). Index 0 (unknown): plain subtraction.
    /// </summary>
    internal static BigInteger AfterTokenMathDebtBurn(BigInteger balance, BigInteger index, BigInteger amount)
    {
        if (index.IsZero) return balance - amount;
        var scaled = balance * FixedPoint.Ray / index - amount * FixedPoint.Ray / index;
        return scaled.Sign <= 0 ? BigInteger.Zero : (scaled * index + FixedPoint.Ray - 1) / FixedPoint.Ray;
    }

    /// <summary>
    /// ≥ 3.5 (TokenMath) aToken balance left after the liquidator's <paramref name="first"/> and the fee <paramref name="second"/>
    /// leave: the token holds scaled = ⌈balance ÷ index⌉ (balanceOf is ⌊scaled·index⌋, injective while index ≥ 1 ray), the burn
    /// and transferOnLiquidation each remove ⌈amount ÷ index⌉ scaled (the borrower pays the rounding), and the fee, already capped
    /// at the scaled balance left, moves at most that. Index 0 (unknown): plain subtraction.
    /// </summary>
    internal static BigInteger AfterTokenMathCollateralTaken(BigInteger balance, BigInteger index, BigInteger first, BigInteger second)
    {
        if (index.IsZero) return balance - first - second;
        var scaled = FixedPoint.MulDivUp(balance, FixedPoint.Ray, index) - FixedPoint.MulDivUp(first, FixedPoint.Ray, index)
            - FixedPoint.MulDivUp(second, FixedPoint.Ray, index);
        return scaled.Sign <= 0 ? BigInteger.Zero : scaled * index / FixedPoint.Ray;
    }

    private static AaveV3AccountReserve? Find(AaveV3Account account, Address asset)
    {
        foreach (var r in account.Reserves)
            if (r.Asset == asset) return r;
        return null;
    }
}
