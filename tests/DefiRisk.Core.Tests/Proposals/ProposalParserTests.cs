using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Core.Tests.Proposals;

public sealed class ProposalParserTests
{
    private static readonly Address Weth = Address.Parse("0x00000000000000000000000000000000000000e1");
    private static readonly Address Usdc = Address.Parse("0x00000000000000000000000000000000000000c1");

    /// <summary>One Aave market (WETH LTV 80 / LT 82.5 / bonus 5 %, USDC), one Morpho WETH/USDC market at 86 %.</summary>
    internal static Snapshot Baseline()
    {
        var assets = new[]
        {
            new Asset(Weth, "WETH", 18, 2000_00000000, AssetOracle.MarketFeed(Address.Zero)),
            new Asset(Usdc, "USDC", 6, 1_00000000, AssetOracle.MarketFeed(Address.Zero)),
        };
        AaveV3Reserve Reserve(Address a, int id, int dec, int ltv, int lt, int lb, BigInteger price) =>
            new(a, id, dec, ltv, lt, lb, 1000, 1000, true, false, false, true, 0, 0, 0, BigInteger.Pow(10, 27), BigInteger.Pow(10, 27), price, Address.Zero, Address.Zero, Address.Zero);
        var market = new AaveV3Market("aave-v3", Address.Parse("0x00000000000000000000000000000000000000a1"), Address.Zero, Address.Zero, 1, 100_000_000,
            [Reserve(Weth, 0, 18, 8000, 8250, 10500, 2000_00000000), Reserve(Usdc, 1, 6, 7700, 8000, 10450, 1_00000000)],
            [new AaveV3EModeCategory(1, 9300, 9500, 10100, Address.Zero, "ETH correlated", [Weth])]);
        // 10 WETH collateral, 15,000 USDC debt: HF = 20,000 × 0.825 / 15,000 = 1.1 (LOCAL-CHAIN.md §2 recorded 1.10e18 at LT 8250).
        var account = new AaveV3Account(Address.Parse("0x00000000000000000000000000000000000000b1"), 0,
            [new AaveV3AccountReserve(Weth, 10 * BigInteger.Pow(10, 18), true, 0, 0), new AaveV3AccountReserve(Usdc, 0, false, 15_000_000000, 0)]);
        var morphoMarket = new MorphoBlueMarket("0x" + new string('1', 64), Usdc, Weth, Address.Zero, Address.Zero, 860_000_000_000_000_000,
            100_000_000000, 100_000_000000_000000, 16_000_000000, 16_000_000000_000000, 0, 0, 2000 * BigInteger.Pow(10, 24));
        var morphoPosition = new MorphoBluePosition(morphoMarket.Id, account.Account, 0, 16_000_000000_000000, 10 * BigInteger.Pow(10, 18));
        return TestSnapshot.Create(new ChainPoint(31337, 100, 1_700_000_000), assets,
            [new AaveV3MarketState(market, [account])],
            [new MorphoBlueState(Address.Zero, [morphoMarket], [morphoPosition])], []);
    }

    private static Proposal Parse(string json) => CoreRegistry.ParseProposal(json, "test-proposal.json", Baseline());

    private static string Refused(string json) => Assert.Throws<DefiRiskException>(() => Parse(json)).Message;

    [Fact]
    public void Percentages_become_the_units_the_contracts_store()
    {
        var p = Parse("""
            { "name": "n", "aave-v3": { "reserves": { "WETH": { "ltv": "78%", "liquidationThreshold": "80.5%", "liquidationBonus": "6%" } },
                                        "emode": { "1": { "liquidationThreshold": "94%" } }, "closeFactor": "40%", "fullCloseHealthFactor": 0.9 },
              "morpho-blue": { "migrations": [ { "market": "WETH/USDC", "lltv": "77%" } ] },
              "breakers": { "liquidationCaps": [ { "scope": "collateral:WETH", "maxUsd": 1000000, "windowSteps": 2 } ],
                            "oracleDelay": { "steps": 1 }, "deviationPause": { "threshold": "10%", "pauseSteps": 2, "graceSteps": 1 },
                            "minLiquidationUsd": 50 } }
            """);
        var weth = Assert.Single(p.AaveV3Reserves());
        Assert.Equal((7800, 8050, 10600), (weth.Ltv!.Value, weth.LiquidationThreshold!.Value, weth.LiquidationBonus!.Value));
        Assert.Equal(9400, Assert.Single(p.AaveV3EModes()).LiquidationThreshold);
        Assert.Equal(4000, p.AaveV3CloseFactor()!.CloseFactor);
        Assert.Equal(BigInteger.Parse("900000000000000000"), p.AaveV3CloseFactor()!.FullCloseHealthFactor);
        Assert.Equal(BigInteger.Parse("770000000000000000"), Assert.Single(p.MorphoBlueMigrations()).NewLltv);
        var cap = Assert.Single(p.Breakers.Caps);
        Assert.Equal((CapScope.CollateralAsset, "WETH", new BigInteger(1_000_000_00000000), 2), (cap.Scope, cap.Key, cap.MaxValueUsd, cap.WindowSteps));
        Assert.Equal(1000, p.Breakers.Pause!.ThresholdBps);
        Assert.Equal(new BigInteger(50_00000000), p.Breakers.MinLiquidationUsd);
    }

    [Theory]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationTreshold": "80%" } } } }""", "$.aave-v3.reserves.WETH.liquidationTreshold: unknown key")]
    [InlineData("""{ "color": "red" }""", "$.color: unknown key")]
    [InlineData("""{ "aave-v3": { "reserves": { "PEPE": { "ltv": "50%" } } } }""", "no asset 'PEPE'")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "101%" } } } }""", "$.aave-v3.reserves.WETH.liquidationThreshold: 101% is out of range")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "70%" } } } }""", "is below the LTV 80")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "82.5" } } } }""", "with a % sign")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "97%", "ltv": "90%", "liquidationBonus": "5%" } } } }""", "exceeds 100%")]
    [InlineData("""{ "breakers": { "liquidationCaps": [ { "maxUsd": -5 } ] } }""", "$.breakers.liquidationCaps[0].maxUsd: -5 is negative")]
    [InlineData("""{ "breakers": { "oracleDelay": { "steps": 0 } } }""", "$.breakers.oracleDelay.steps: 0 is out of range")]
    [InlineData("""{ "morpho-blue": { "migrations": [ { "market": "DOGE/USDC", "lltv": "77%" } ] } }""", "no Morpho Blue market 'DOGE/USDC'")]
    [InlineData("""{ "aave-v3": { "emode": { "7": { "ltv": "90%" } } } }""", "e-mode category 7 does not exist")]
    [InlineData("""{ "name": """, "malformed proposal file")]
    public void Bad_proposals_are_refused_with_one_line_naming_the_key(string json, string expected)
    {
        var message = Refused(json);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Applying_a_lower_liquidation_threshold_lowers_the_health_factor_exactly()
    {
        var baseline = Baseline();
        var proposal = Parse("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "81%" } } } }""");
        var world = ProposalApplier.Apply(baseline, proposal);
        var state = world.AaveV3Markets()[0];
        var hf = AaveV3AccountMath.Calculate(state.Market, state.Accounts[0]).HealthFactor;
        // 20,000e8 × 0.81 / 15,000e8 = 1.08 exactly.
        Assert.Equal(BigInteger.Parse("1080000000000000000"), hf);
        Assert.Equal(BigInteger.Parse("1100000000000000000"),
            AaveV3AccountMath.Calculate(baseline.AaveV3Markets()[0].Market, baseline.AaveV3Markets()[0].Accounts[0]).HealthFactor);
    }

    [Fact]
    public void A_morpho_migration_moves_borrowers_to_a_market_with_the_new_lltv_keeping_their_debt()
    {
        var baseline = Baseline();
        var world = ProposalApplier.Apply(baseline, Parse("""{ "morpho-blue": { "migrations": [ { "market": "WETH/USDC", "lltv": "77%" } ] } }"""));
        var morpho = world.MorphoBlue()[0];
        Assert.Equal(2, morpho.Markets.Count);
        var target = morpho.Markets[1];
        Assert.Equal(BigInteger.Parse("770000000000000000"), target.Lltv);
        var moved = Assert.Single(morpho.Positions);
        Assert.Equal(target.Id, moved.MarketId);
        Assert.Equal(DefiRisk.Core.Protocols.MorphoBlue.MorphoBlueMath.BorrowedAssets(baseline.MorphoBlue()[0].Markets[0], moved.BorrowShares),
            DefiRisk.Core.Protocols.MorphoBlue.MorphoBlueMath.BorrowedAssets(target, moved.BorrowShares));
    }

    // PoolConfigurator (aave-v3-core 1.19 = v3.0; same checks in aave-v3-origin v3.3.0) configureReserveAsCollateral:
    //   ltv ≤ lt; lt ≠ 0 ⇒ bonus > 100.00 % and percentMul(lt, bonus) ≤ 100 %; lt = 0 ⇒ bonus = 0 and no suppliers.
    // setEModeCategory: ltv ≠ 0, lt ≠ 0, ltv ≤ lt, bonus > 100 %, percentMul(lt, bonus) ≤ 100 %, and (v3.0/3.1 only)
    //   ltv / lt above those of every reserve in the category (here WETH: 80 % / 82.5 %).
    [Theory]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationBonus": "0%" } } } }""", "$.aave-v3.reserves.WETH.liquidationBonus: must be above 0%")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "ltv": "0%", "liquidationThreshold": "0%" } } } }""", "$.aave-v3.reserves.WETH.liquidationThreshold: 0% needs a reserve without suppliers")]
    [InlineData("""{ "aave-v3": { "reserves": { "USDC": { "ltv": "0%", "liquidationThreshold": "0%", "liquidationBonus": "5%" } } } }""", "$.aave-v3.reserves.USDC.liquidationBonus: must be 0 when the liquidation threshold is 0%")]
    [InlineData("""{ "aave-v3": { "emode": { "1": { "ltv": "0%" } } } }""", "$.aave-v3.emode.1.ltv: must not be 0%")]
    [InlineData("""{ "aave-v3": { "emode": { "1": { "liquidationBonus": "0%" } } } }""", "$.aave-v3.emode.1.liquidationBonus: must be above 0%")]
    [InlineData("""{ "aave-v3": { "emode": { "1": { "ltv": "79%", "liquidationThreshold": "94%" } } } }""", "$.aave-v3.emode.1.ltv: 79% must be above the LTV 80% of WETH")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "95%" } }, "emode": { "1": { "liquidationBonus": "1%" } } } }""", "$.aave-v3.emode.1.liquidationThreshold: 95% must be above the threshold 95% of WETH")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "ltv": "93.5%", "liquidationThreshold": "94%" } }, "emode": { "1": { "liquidationBonus": "2%" } } } }""", "$.aave-v3.emode.1.ltv: 93% must be above the LTV 93.5% of WETH")]
    public void Proposals_the_pool_configurator_would_revert_are_refused(string json, string expected)
    {
        var message = Refused(json);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_zero_threshold_on_a_reserve_without_suppliers_sets_the_bonus_to_zero()
    {
        // configureReserveAsCollateral(USDC, 0, 0, 0): the only accepted bonus with LT 0. No account supplies USDC here.
        var usdc = Assert.Single(Parse("""{ "aave-v3": { "reserves": { "USDC": { "ltv": "0%", "liquidationThreshold": "0%" } } } }""").AaveV3Reserves());
        Assert.Equal((0, 0, 0), (usdc.Ltv!.Value, usdc.LiquidationThreshold!.Value, usdc.LiquidationBonus!.Value));
    }
}

public sealed class ProposalParserMarketsTests
{
    [Fact]
    public void A_second_migration_of_the_same_morpho_market_is_refused_naming_its_key()
    {
        var message = Assert.Throws<DefiRiskException>(() => CoreRegistry.ParseProposal(
            """{ "morpho-blue": { "migrations": [ { "market": "WETH/USDC", "lltv": "77%" }, { "market": "WETH/USDC", "lltv": "77%" } ] } }""",
            "p.json", ProposalParserTests.Baseline())).Message;
        Assert.Contains("$.morpho-blue.migrations[1].market", message);
    }

    [Fact]
    public void A_reserve_change_is_checked_against_every_pool_that_lists_the_asset()
    {
        var baseline = ProposalParserTests.Baseline();
        // A second pool (as mainnet's Prime beside Core) where WETH already has an LTV of 90 %: LT 85 % is fine in the
        // first pool (LTV 80 %) but below the LTV in the second, so the configurator would revert there.
        var first = baseline.AaveV3Markets()[0];
        var second = first with
        {
            Market = first.Market with
            {
                Name = "second",
                Reserves = first.Market.Reserves.Select(r => r.Symbol(baseline) == "WETH" ? r with { Ltv = 9000, LiquidationThreshold = 9200, LiquidationBonus = 10300 } : r).ToList(),
            },
        };
        var twoPools = baseline.WithAaveV3Markets([first, second]);
        var json = """{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "85%" } } } }""";
        Assert.NotNull(CoreRegistry.ParseProposal(json, "p.json", baseline));
        var message = Assert.Throws<DefiRiskException>(() => CoreRegistry.ParseProposal(json, "p.json", twoPools)).Message;
        Assert.Contains("below the LTV 90", message);
    }
}

internal static class ReserveSymbolExtensions
{
    public static string Symbol(this AaveV3Reserve reserve, Snapshot snapshot) => snapshot.Asset(reserve.Asset).Symbol;
}
