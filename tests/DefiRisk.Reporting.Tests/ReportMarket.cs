using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Reporting.Tests;

/// <summary>
/// A hand-sized two-protocol market whose token symbols are hostile, for the report tests.
/// Prices: USDC $1, WETH $2000, wstETH $2360 (exchange rate 1.18 × WETH), EVIL $10 (symbol is an HTML injection),
/// CANARY $1 (symbol is a script that would retitle the page). Pools: WETH/USDC 1,000 / 2,000,000 (the cascade-test
/// pool of DefiRisk.Core.Tests' MiniMarket), wstETH/WETH 100 / 118, EVIL/USDC 100,000 / 1,000,000.
/// A −20 % WETH shock liquidates Aave account 1 (10 WETH vs 15,000 USDC, HF 0.88) in round 0; its sale drags WETH below
/// $1575.58, where the Morpho borrower with 10 WETH vs 13,550 USDC (LLTV 0.86) falls in round 1: a cross-protocol chain.
/// </summary>
internal static class ReportMarket
{
    public const string MaliciousSymbol = "<img src=x onerror=alert(1)>";
    public const string CanarySymbol = "<script>document.title='pwned'</script>";
    public const string MorphoWethUsdc = "0x00000000000000000000000000000000000000000000000000000000000000a1";
    public const string MorphoEvilUsdc = "0x00000000000000000000000000000000000000000000000000000000000000a2";

    public static readonly Address Usdc = A(0x10), Weth = A(0x20), WstEth = A(0x30), Evil = A(0x60), Canary = A(0x70);

    public static Address A(int n) => Address.Parse("0x" + n.ToString("x40"));
    public static BigInteger E(int exp) => BigInteger.Pow(10, exp);
    public static BigInteger Usd(decimal price) => new(price * 100_000_000m);
    public static BigInteger Units(decimal amount, int decimals) => new BigInteger(amount * 1_000_000m) * E(decimals) / 1_000_000;

    private static AaveV3Reserve Reserve(Address asset, int id, int decimals, int ltv, int lt, int bonus, BigInteger price) =>
        new(asset, id, decimals, ltv, lt, bonus, 0, 1000, true, false, false, true, 0, 0, 0, E(27), E(27), price, A(0x1000 + id), A(0x2000 + id), A(0x3000 + id));

    private static AaveV3AccountReserve Coll(Address asset, BigInteger amount) => new(asset, amount, true, 0, 0);
    private static AaveV3AccountReserve Debt(Address asset, BigInteger amount) => new(asset, 0, false, amount, 0);

    private static MorphoBlueMarket Morpho(string id, Address loan, Address coll, decimal lltv, BigInteger borrowed, BigInteger oraclePrice) =>
        new(id, loan, coll, A(0xe0), A(0xee), Units(lltv, 18), borrowed * 2, borrowed * 2 * 1_000_000, borrowed, borrowed * 1_000_000, 1, 0, oraclePrice);

    public static Snapshot Build()
    {
        Asset[] assets =
        [
            new(Usdc, "USDC", 6, Usd(1), AssetOracle.MarketFeed(A(0xf1))),
            new(Weth, "WETH", 18, Usd(2000), AssetOracle.MarketFeed(A(0xf2))),
            new(WstEth, "wstETH", 18, Usd(2360), new AssetOracle(OracleKind.ExchangeRate, A(0xf3), Weth, BigInteger.Parse("1180000000000000000"))),
            new(Evil, MaliciousSymbol, 18, Usd(10), AssetOracle.MarketFeed(A(0xf6))),
            new(Canary, CanarySymbol, 18, Usd(1), AssetOracle.MarketFeed(A(0xf7))),
        ];
        var aave = new AaveV3Market("Mini", A(0xaa01), A(0xaa02), A(0xaa03), 1, E(8),
        [
            Reserve(Usdc, 0, 6, 7700, 8000, 10450, Usd(1)),
            Reserve(Weth, 1, 18, 8000, 8250, 10500, Usd(2000)),
            Reserve(WstEth, 2, 18, 7850, 8100, 10600, Usd(2360)),
            Reserve(Evil, 3, 18, 4500, 5000, 11000, Usd(10)),
            Reserve(Canary, 4, 18, 7500, 8000, 10500, Usd(1)),
        ], []);
        AaveV3Account[] accounts =
        [
            new(A(0xb001), 0, [Coll(Weth, Units(10, 18)), Debt(Usdc, Units(15000, 6))]),                         // HF 1.10
            new(A(0xb002), 0, [Coll(Weth, Units(5, 18)), Debt(Usdc, Units(6000, 6))]),                           // HF 1.375
            new(A(0xb003), 0, [Coll(WstEth, Units(10, 18)), Debt(Usdc, Units(17000, 6))]),                       // HF 1.12
            new(A(0xb004), 0, [Coll(Evil, Units(1000, 18)), Coll(Weth, Units(2, 18)), Debt(Usdc, Units(6000, 6))]), // HF 1.38
            new(A(0xb005), 0, [Coll(Canary, Units(1000, 18)), Debt(Usdc, Units(500, 6))]),                       // HF 1.60
        ];
        var wethUsdcPrice = 2000 * E(24);            // $2000 × 10^(36 + 6 − 18)
        var evilUsdcPrice = 10 * E(24);              // $10 × 10^(36 + 6 − 18)
        MorphoBlueMarket[] markets =
        [
            Morpho(MorphoWethUsdc, Usdc, Weth, 0.86m, Units(17550, 6), wethUsdcPrice),
            Morpho(MorphoEvilUsdc, Usdc, Evil, 0.77m, Units(3000, 6), evilUsdcPrice),
        ];
        MorphoBluePosition[] positions =
        [
            new(MorphoWethUsdc, A(0xc001), 0, Units(13550, 6) * 1_000_000, Units(10, 18)),   // falls below $1575.58
            new(MorphoWethUsdc, A(0xc002), 0, Units(4000, 6) * 1_000_000, Units(3, 18)),     // HF 1.29
            new(MorphoEvilUsdc, A(0xc003), 0, Units(3000, 6) * 1_000_000, Units(500, 18)),   // HF 1.28
        ];
        UniswapV2Pool[] pools =
        [
            new(A(0xd0), Usdc, Weth, Units(2_000_000, 6), Units(1000, 18)),
            new(A(0xd1), Weth, WstEth, Units(118, 18), Units(100, 18)),
            new(A(0xd2), Usdc, Evil, Units(1_000_000, 6), Units(100_000, 18)),
        ];
        return TestSnapshot.Create(new ChainPoint(31337, 100, 1_700_000_000), assets, [new AaveV3MarketState(aave, accounts)],
            [new MorphoBlueState(A(0xbb01), markets, positions)], pools);
    }

    /// <summary>The proposal used for comparisons: Aave WETH liquidation bonus 105 % → 102 % (less collateral sold per dollar repaid).</summary>
    public static Proposal Proposal => TestProposal.Create("Lower WETH bonus", "Cut the Aave WETH liquidation bonus so that less collateral hits the pool.",
        [new AaveV3ReserveChange("WETH", null, null, 10200, null, null, null)], [], null, [], BreakerSettings.None);

    /// <summary>A report with every section filled: simulate, compare and sweep (baseline and proposal) on the −20 % WETH shock.</summary>
    public static ReportInput FullInput(bool exactSweep = true)
    {
        var snapshot = Build();
        var options = new SimulationOptions { ExactSweep = exactSweep };
        var proposalSnapshot = ProposalApplier.Apply(snapshot, Proposal);
        var scenario = Scenario.Single(Weth, -0.20m, "WETH=-20%");
        var baseline = CascadeSimulator.Simulate(snapshot, scenario, options);
        var proposal = CascadeSimulator.Simulate(proposalSnapshot, scenario, options);
        return new ReportInput(snapshot, ReportingRegistry.Parts)
        {
            Title = "Mini market: WETH shock",
            Simulation = new SimulationReport("WETH=-20%", baseline),
            Comparison = new ComparisonReport("WETH=-20%", Proposal.Name, Proposal.Description,
                [.. ProposalLines.Describe(Proposal, snapshot, ReportingRegistry.Parts), "breaker: " + MaliciousSymbol], baseline, proposal),
            Sweeps =
            [
                new SweepReport(CascadeSimulator.Sweep(snapshot, Weth, -0.05m, -0.40m, -0.05m, options),
                    CascadeSimulator.Sweep(proposalSnapshot, Weth, -0.05m, -0.40m, -0.05m, options), Proposal.Name),
            ],
            Assumptions = ReportAssumptions.From(snapshot, ReportingRegistry.Parts, options, "Uniswap v2 pairs of the test market"),
        };
    }
}
