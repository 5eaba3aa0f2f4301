using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Tests;

/// <summary>Hand-built assets, reserves and markets shared by the tests (addresses are arbitrary but fixed).</summary>
internal static class TestData
{
    public static readonly Address Usdc = A(0x10);
    public static readonly Address Weth = A(0x20);
    public static readonly Address WstEth = A(0x30);
    public static readonly Address Wbtc = A(0x40);
    public static readonly Address Dai = A(0x50);

    public static Address A(int n) => Address.Parse("0x" + n.ToString("x40"));

    public static BigInteger E(int exp) => BigInteger.Pow(10, exp);

    /// <summary>A decimal amount in base units: Units("9.5", 18).</summary>
    public static BigInteger Units(string amount, int decimals)
    {
        var parts = amount.Split('.');
        var frac = parts.Length > 1 ? parts[1] : "";
        return BigInteger.Parse(parts[0]) * E(decimals) + (frac.Length == 0 ? 0 : BigInteger.Parse(frac.PadRight(decimals, '0')));
    }

    /// <summary>USD price with 8 decimals.</summary>
    public static BigInteger Usd(string price) => Units(price, 8);

    public static AaveV3Reserve Reserve(Address asset, int id, int decimals, int ltv, int lt, int bonus, BigInteger price,
        int fee = 0, bool paused = false, bool active = true, int eMode = 0) =>
        new(asset, id, decimals, ltv, lt, bonus, fee, 1000, active, false, paused, true, eMode, 0, 0,
            E(27), E(27), price, A(0x1000 + id), A(0x2000 + id), A(0x3000 + id));

    /// <summary>The LOCAL-CHAIN.md §2 Aave market: WETH 8000/8250/10500, WBTC 7000/7500/10650, USDC 7700/8000/10450, plus DAI.</summary>
    public static AaveV3Market AaveMarket(int revision = 1, BigInteger? wethPrice = null, int wethFee = 0, bool wethPaused = false,
        bool usdcActive = true, IReadOnlyList<AaveV3EModeCategory>? eModes = null) =>
        new("Test", A(0xaa01), A(0xaa02), A(0xaa03), revision, E(8),
        [
            Reserve(Usdc, 0, 6, 7700, 8000, 10450, Usd("1"), active: usdcActive),
            Reserve(Weth, 1, 18, 8000, 8250, 10500, wethPrice ?? Usd("2000"), fee: wethFee, paused: wethPaused),
            Reserve(Wbtc, 2, 8, 7000, 7500, 10650, Usd("60000")),
            Reserve(Dai, 3, 18, 7700, 8000, 10450, Usd("1")),
        ], eModes ?? []);

    public static AaveV3AccountReserve Coll(Address asset, BigInteger amount) => new(asset, amount, true, 0, 0);
    public static AaveV3AccountReserve Debt(Address asset, BigInteger amount) => new(asset, 0, false, amount, 0);

    public static AaveV3Account Account(int n, params AaveV3AccountReserve[] reserves) => new(A(0xb000 + n), 0, reserves);

    public static Func<Address, BigInteger> Prices(AaveV3Market m) => a => m.Reserve(a).OraclePrice;
}
