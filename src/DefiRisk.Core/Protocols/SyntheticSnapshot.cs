using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Core.Venues.UniswapV2;

namespace DefiRisk.Core.Protocols;

/// <summary>
/// A seeded, deterministic synthetic market for tests and benchmarks: 5 assets (USDC numeraire, WETH, wstETH with an
/// exchange-rate oracle on WETH, WBTC, DAI without a pool), one Aave v3 market (revision <paramref name="aaveRevision"/>,
/// e-mode "ETH correlated"), four Morpho Blue markets, and three Uniswap v2 pools (WETH/USDC, wstETH/WETH, WBTC/USDC)
/// whose depth grows with the number of positions. About 70 % of positions are Aave accounts (1–2 collaterals, one
/// debt), 30 % Morpho positions; collateral values are log-uniform in $1k–$1M, health factors 1.03 + 4·u^0.7 (about 5 % below 1.5, 13 % below 2, median 2.5).
/// </summary>
public static class SyntheticSnapshot
{
    public static readonly Address Usdc = Address.Parse("0x00000000000000000000000000000000000000a1");
    public static readonly Address Weth = Address.Parse("0x00000000000000000000000000000000000000a2");
    public static readonly Address WstEth = Address.Parse("0x00000000000000000000000000000000000000a3");
    public static readonly Address Wbtc = Address.Parse("0x00000000000000000000000000000000000000a4");
    public static readonly Address Dai = Address.Parse("0x00000000000000000000000000000000000000a5");

    public static Snapshot Generate(int positions, int seed = 1, int aaveRevision = 1, double poolDepthUsdPerPosition = 100_000)
    {
        if (positions < 0) throw new DefiRiskException($"position count {positions} must not be negative");
        var rng = new Random(seed);
        BigInteger P(double usd) => new(Math.Round(usd * 1e8));
        var assets = new List<Asset>
        {
            new(Usdc, "USDC", 6, P(1), AssetOracle.MarketFeed(A(0xf1))),
            new(Weth, "WETH", 18, P(3000), AssetOracle.MarketFeed(A(0xf2))),
            new(WstEth, "wstETH", 18, P(3540), new AssetOracle(OracleKind.ExchangeRate, A(0xf3), Weth, BigInteger.Parse("1180000000000000000"))),
            new(Wbtc, "WBTC", 8, P(60000), AssetOracle.MarketFeed(A(0xf4))),
            new(Dai, "DAI", 18, P(1), AssetOracle.MarketFeed(A(0xf5))),
        };
        var byAddr = assets.ToDictionary(a => a.Address);
        BigInteger Amount(Address asset, double usd)
        {
            var a = byAddr[asset];
            return new BigInteger(usd / ((double)a.PriceUsd / 1e8) * Math.Pow(10, a.Decimals));
        }

        AaveV3Reserve Reserve(Address asset, int id, int ltv, int lt, int bonus, int fee) =>
            new(asset, id, byAddr[asset].Decimals, ltv, lt, bonus, fee, 1000, true, false, false, true, 0, 0, 0,
                FixedPoint.Ray, FixedPoint.Ray, byAddr[asset].PriceUsd, A(0x1000 + id), A(0x2000 + id), A(0x3000 + id));
        var reserves = new List<AaveV3Reserve>
        {
            Reserve(Usdc, 0, 7700, 8000, 10450, 1000),
            Reserve(Weth, 1, 8000, 8250, 10500, 1000),
            Reserve(WstEth, 2, 7850, 8100, 10600, 1000),
            Reserve(Wbtc, 3, 7000, 7500, 10650, 1000),
            Reserve(Dai, 4, 7700, 8000, 10450, 1000),
        };
        var eMode = new AaveV3EModeCategory(1, 9300, 9500, 10100, Address.Zero, "ETH correlated", [Weth, WstEth]);
        var aaveMarket = new AaveV3Market("Synthetic", A(0xaa01), A(0xaa02), A(0xaa03), aaveRevision, FixedPoint.Pow10(8), reserves, [eMode]);

        var aaveCount = (int)(positions * 0.7);
        var accounts = new AaveV3Account[aaveCount];
        for (var i = 0; i < aaveCount; i++)
        {
            var value = Math.Pow(10, 3 + 3 * rng.NextDouble());
            var hf = 1.03 + 4 * Math.Pow(rng.NextDouble(), 0.7);
            var u = rng.NextDouble();
            Address c1 = u < 0.45 ? Weth : u < 0.70 ? WstEth : u < 0.90 ? Wbtc : Usdc;
            Address? c2 = rng.NextDouble() < 0.3 ? (c1 == Weth ? Wbtc : Weth) : null;
            var ethOnly = (c1 == Weth || c1 == WstEth) && c2 is null;
            var d = rng.NextDouble();
            Address debt = ethOnly && c1 == WstEth && d < 0.5 ? Weth : d < 0.6 ? Usdc : d < 0.85 ? Dai : c1 == Weth ? Usdc : Weth;
            var useEMode = ethOnly && debt == Weth && rng.NextDouble() < 0.7;
            var share1 = c2 is null ? 1 : 0.4 + 0.4 * rng.NextDouble();
            double Lt(Address a) => useEMode ? 0.95 : reserves.First(r => r.Asset == a).LiquidationThreshold / 1e4;
            var weighted = value * share1 * Lt(c1) + (c2 is { } x ? value * (1 - share1) * Lt(x) : 0);
            var list = new List<AaveV3AccountReserve> { new(c1, Amount(c1, value * share1), true, 0, 0) };
            if (c2 is { } c) list.Add(new(c, Amount(c, value * (1 - share1)), true, 0, 0));
            var debtAmount = Amount(debt, weighted / hf);
            var existing = list.FindIndex(r => r.Asset == debt);
            if (existing >= 0) list[existing] = list[existing] with { VariableDebt = debtAmount };
            else list.Add(new(debt, 0, false, debtAmount, 0));
            accounts[i] = new AaveV3Account(Account(i), useEMode ? 1 : 0, list.ToArray());
        }

        (Address Coll, Address Loan, double Lltv)[] specs = [(WstEth, Weth, 0.945), (Weth, Usdc, 0.86), (Wbtc, Usdc, 0.86), (WstEth, Usdc, 0.86)];
        var morphoCount = positions - aaveCount;
        var morphoPositions = new MorphoBluePosition[morphoCount];
        var borrowTotals = new BigInteger[specs.Length];
        for (var j = 0; j < morphoCount; j++)
        {
            var mi = rng.Next(specs.Length);
            var (coll, loan, lltv) = specs[mi];
            var value = Math.Pow(10, 3 + 3 * rng.NextDouble());
            var hf = 1.03 + 4 * Math.Pow(rng.NextDouble(), 0.7);
            var borrow = Amount(loan, value * lltv / hf);
            borrowTotals[mi] += borrow;
            morphoPositions[j] = new MorphoBluePosition(MarketId(mi), Account(aaveCount + j), 0, borrow * 1_000_000, Amount(coll, value));
        }
        var markets = specs.Select((s, mi) =>
        {
            var c = byAddr[s.Coll];
            var l = byAddr[s.Loan];
            var oraclePrice = c.PriceUsd * FixedPoint.Pow10(36 + l.Decimals - c.Decimals) / l.PriceUsd;
            var supply = borrowTotals[mi] * 5 / 4 + 1;
            return new MorphoBlueMarket(MarketId(mi), s.Loan, s.Coll, A(0xe0 + mi), A(0xee), new BigInteger(s.Lltv * 1e18),
                supply, supply * 1_000_000, borrowTotals[mi], borrowTotals[mi] * 1_000_000, 1, 0, oraclePrice);
        }).ToList();

        var depth = Math.Max(1, positions) * poolDepthUsdPerPosition;
        UniswapV2Pool Pool(int id, Address a, Address b, double usdPerSide)
        {
            var (t0, t1) = a.CompareTo(b) < 0 ? (a, b) : (b, a);
            return new UniswapV2Pool(A(0xd0 + id), t0, t1, Amount(t0, usdPerSide), Amount(t1, usdPerSide));
        }
        var pools = new List<UniswapV2Pool> { Pool(0, Weth, Usdc, depth), Pool(1, WstEth, Weth, depth * 0.2), Pool(2, Wbtc, Usdc, depth * 0.5) };

        return new Snapshot(new ChainPoint(31337, 1, 1_700_000_000), assets,
            [new AaveV3Book([new AaveV3MarketState(aaveMarket, accounts)]), new MorphoBlueBook([new MorphoBlueState(A(0xbb01), markets, morphoPositions)])],
            [new UniswapV2Book(pools)]);
    }

    private static Address A(int n) => Address.Parse("0x" + n.ToString("x40"));
    private static Address Account(int i) => Address.Parse("0x1" + i.ToString("x39"));
    private static string MarketId(int i) => "0x" + (0xabc0 + i).ToString("x64");
}
