using System.Numerics;

namespace DefiRisk.Chain.Protocols.AaveV3;

/// <summary>
/// <c>DataTypes.ReserveConfigurationMap</c> decoded (<c>ReserveConfiguration.sol</c>; bit positions are the
/// same in every v3 version, PROTOCOLS-DETAIL §1.2.1).
/// </summary>
internal readonly record struct ReserveConfiguration(
    int Ltv, int LiquidationThreshold, int LiquidationBonus, int Decimals, bool Active, bool Frozen, bool BorrowingEnabled,
    bool Paused, int ReserveFactor, BigInteger BorrowCap, BigInteger SupplyCap, int LiquidationProtocolFee, int EModeCategory, BigInteger DebtCeiling, bool FlashLoanEnabled)
{
    public static ReserveConfiguration Decode(BigInteger data) => new(
        Ltv: (int)Bits(data, 0, 16),
        LiquidationThreshold: (int)Bits(data, 16, 16),
        LiquidationBonus: (int)Bits(data, 32, 16),
        Decimals: (int)Bits(data, 48, 8),
        Active: !Bits(data, 56, 1).IsZero,
        Frozen: !Bits(data, 57, 1).IsZero,
        BorrowingEnabled: !Bits(data, 58, 1).IsZero,
        Paused: !Bits(data, 60, 1).IsZero,
        ReserveFactor: (int)Bits(data, 64, 16),
        BorrowCap: Bits(data, 80, 36),
        SupplyCap: Bits(data, 116, 36),
        LiquidationProtocolFee: (int)Bits(data, 152, 16),
        EModeCategory: (int)Bits(data, 168, 8),
        // USD with 2 decimals (DEBT_CEILING_DECIMALS); 0 = not an isolated collateral.
        DebtCeiling: Bits(data, 212, 40),
        // FLASHLOAN_ENABLED_START_BIT_POSITION (v3.0.1+; ValidationLogic.validateFlashloanSimple refuses FLASHLOAN_DISABLED without it).
        FlashLoanEnabled: !Bits(data, 63, 1).IsZero);

    /// <summary>The <paramref name="width"/>-bit field starting at bit <paramref name="start"/>.</summary>
    public static BigInteger Bits(BigInteger data, int start, int width) => (data >> start) & ((BigInteger.One << width) - 1);
}
