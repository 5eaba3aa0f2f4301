using System.Numerics;
using DefiRisk.Core.Domain;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// A hand-sized market for cascade tests: USDC ($1, numeraire), WETH ($2000), wstETH ($2360, exchange-rate oracle on
/// WETH, ratio 1.18), DAI ($1, no pool). Pools: WETH/USDC 1,000 / 2,000,000; wstETH/WETH 100 / 118.
/// Aave v3.0 (revision 1) with the LOCAL-CHAIN reserves (fee 0) plus wstETH (LT 8100, bonus 10600); Morpho WETH/USDC
/// (LLTV 0.86) and wstETH/WETH (LLTV 0.945).
/// </summary>
internal static class MiniMarket
{
    public const string MorphoWethUsdc = "0x01";
    public const string MorphoWstethWeth = "0x02";

    public static Asset[] Assets =>
    [
        new(Usdc, "USDC", 6, Usd("1"), AssetOracle.MarketFeed(A(0xf1))),
        new(Weth, "WETH", 18, Usd("2000"), AssetOracle.MarketFeed(A(0xf2))),
        new(WstEth, "wstETH", 18, Usd("2360"), new AssetOracle(OracleKind.ExchangeRate, A(0xf3), Weth, BigInteger.Parse("1180000000000000000"))),
        new(Dai, "DAI", 18, Usd("1"), AssetOracle.MarketFeed(A(0xf5))),
    ];

    public static UniswapV2Pool WethUsdcPool => new(A(0xd0), Usdc, Weth, Units("2000000", 6), Units("1000", 18));
    public static UniswapV2Pool WstethWethPool => new(A(0xd1), Weth, WstEth, Units("118", 18), Units("100", 18));

    public static AaveV3Market Aave(int revision = 1) =>
        new("Mini", A(0xaa01), A(0xaa02), A(0xaa03), revision, E(8),
        [
            Reserve(Usdc, 0, 6, 7700, 8000, 10450, Usd("1")),
            Reserve(Weth, 1, 18, 8000, 8250, 10500, Usd("2000")),
            Reserve(WstEth, 2, 18, 7850, 8100, 10600, Usd("2360")),
            Reserve(Dai, 3, 18, 7700, 8000, 10450, Usd("1")),
        ], []);

    /// <summary>Morpho market at the snapshot prices; totals hold exactly the given borrows (1e6 shares per asset unit).</summary>
    public static MorphoBlueMarket Morpho(string id, Address loan, Address coll, string lltv, BigInteger borrowed, BigInteger oraclePrice) =>
        new(id, loan, coll, A(0xe0), A(0xee), Units(lltv, 18), borrowed * 2, borrowed * 2 * 1_000_000, borrowed, borrowed * 1_000_000, 1, 0, oraclePrice);

    public static MorphoBluePosition Borrower(string market, int n, BigInteger collateral, BigInteger borrowed) =>
        new(market, A(0xc000 + n), 0, borrowed * 1_000_000, collateral);

    /// <summary>WETH/USDC oracle: $2000 × 10^(36 + 6 − 18) = 2e27.</summary>
    public static readonly BigInteger WethUsdcPrice = 2000 * E(24);

    public static Snapshot Build(IReadOnlyList<AaveV3Account> aave, IReadOnlyList<MorphoBlueMarket>? markets = null, IReadOnlyList<MorphoBluePosition>? positions = null,
        IReadOnlyList<UniswapV2Pool>? pools = null, int revision = 1) =>
        TestSnapshot.Create(new ChainPoint(31337, 100, 1_700_000_000), Assets,
            [new AaveV3MarketState(Aave(revision), aave)],
            [new MorphoBlueState(A(0xbb01), markets ?? [], positions ?? [])],
            pools ?? [WethUsdcPool, WstethWethPool]);
}
