using System.Numerics;
using DefiRisk.Harness;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>One anvil serving the committed <c>fixtures/mainnet-like</c>, indexed once (index → SQLite → load).</summary>
public sealed class MainnetLikeChain : IAsyncLifetime
{
    public FixtureServer Server { get; private set; } = null!;
    public Snapshot Stored { get; private set; } = null!;
    private readonly string _temp = System.IO.Directory.CreateTempSubdirectory("defirisk-mainnet-like-").FullName;

    public static string Directory => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "mainnet-like");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Directory, FixtureServer.ManifestFile)))
            throw new InvalidOperationException($"fixture {Directory} is missing: the bundled mainnet-like fixture must be committed");
        Server = await FixtureServer.StartAsync(Directory);
        var db = Path.Combine(_temp, "snapshot.db");
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(Server.RpcUrl, db, Path.Combine(Directory, FixtureServer.ManifestFile), IndexCommand.BlockChoice.Default),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        Stored = new SnapshotStore(db).Load();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { System.IO.Directory.Delete(_temp, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

/// <summary>
/// The distribution the mainnet-like profile promises (FixtureBuilder.MainnetLike.cs, fixtures/README.md),
/// checked on the chain it serves: borrower count, health-factor quantiles from <c>getUserAccountData</c>,
/// cross-protocol overlap, whale share of debt, e-mode loopers, and pool depth against the collateral a
/// 25 % WETH drop puts at risk.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class MainnetLikeFixtureTests(MainnetLikeChain chain) : IClassFixture<MainnetLikeChain>
{
    private Snapshot S => chain.Stored;
    private AaveV3MarketState Aave => S.AaveV3Markets().Single();
    private MorphoBlueState Morpho => S.MorphoBlue().Single();

    private HashSet<Address> AaveBorrowers => Aave.Accounts.Where(a => a.Reserves.Any(r => !r.TotalDebt.IsZero)).Select(a => a.Account).ToHashSet();
    private HashSet<Address> MorphoBorrowers => Morpho.Positions.Where(p => !p.BorrowShares.IsZero).Select(p => p.Account).ToHashSet();

    /// <summary>
    /// Issue 12's fixture: WETH/USDC trades on a v2 pair and a v3 pool (so best execution has two venues) whose liquidity
    /// includes a range wholly below its price (out of range, where a 20 % drop lands), and every v3 pool has a cliff — walking
    /// the price down, a crossed tick below which in-range liquidity drops at least 5× yet stays positive (the thin full range).
    /// </summary>
    [Fact]
    public void WETH_and_USDC_trade_on_a_v2_pair_and_a_v3_pool_and_every_v3_pool_has_liquidity_out_of_range_and_a_cliff()
    {
        var weth = S.FindAsset("WETH")!.Address;
        var usdc = S.FindAsset("USDC")!.Address;
        static bool Joins(Address a, Address b, Address x, Address y) => (a == x && b == y) || (a == y && b == x);
        Assert.Contains(S.UniswapV2Pools(), p => Joins(p.Token0, p.Token1, weth, usdc));
        var pools = S.UniswapV3Pools();
        Assert.Equal(FixtureBuilder.MainnetLikeV3Pools.Count, pools.Count);
        var wethUsdc = Assert.Single(pools, p => Joins(p.Token0, p.Token1, weth, usdc));
        Assert.Contains(wethUsdc.State.Ticks, t => t.LiquidityNet.Sign < 0 && t.Index <= wethUsdc.State.Tick);
        foreach (var p in pools)
        {
            var (liquidity, cliff) = (p.State.Liquidity, false);
            foreach (var t in p.State.Ticks.Where(t => t.Index <= p.State.Tick).OrderByDescending(t => t.Index))
            {
                var below = liquidity - t.LiquidityNet; // crossing down leaves the ranges that start at this tick
                cliff |= below.Sign > 0 && liquidity >= 5 * below;
                liquidity = below;
            }
            Assert.True(cliff, $"v3 pool {p.Address}: no cliff below its price");
        }
    }

    [Fact]
    public void The_indexer_finds_at_least_3000_borrowers_and_the_manifest_counts()
    {
        var facts = chain.Server.Facts;
        Assert.Equal("mainnet-like", facts.Profile);
        Assert.True(facts.Borrowers.Count >= 3000, $"{facts.Borrowers.Count} borrowers in the manifest");
        var all = AaveBorrowers.Union(MorphoBorrowers).ToHashSet();
        var cases = facts.CaseBorrowers ?? [];
        Assert.Equal(facts.AllBorrowers.Count, all.Count);
        Assert.Equal(facts.AaveBorrowers + cases.Count, AaveBorrowers.Count); // every 3.6 case account borrows on Aave
        Assert.Equal(facts.MorphoBorrowers, MorphoBorrowers.Count);
        Assert.Equal(facts.CrossProtocolBorrowers, AaveBorrowers.Intersect(MorphoBorrowers).Count());
        Assert.Equal(all.OrderBy(a => a), facts.AllBorrowers.Select(b => Address.Parse(b)).OrderBy(a => a));
    }

    [Fact]
    public async Task Aave_health_factors_from_getUserAccountData_are_dense_above_one_with_a_median_near_1_5_and_a_tail_past_3()
    {
        var hfs = (await HealthFactorsOnChainAsync(chain.Server.Block)).Values.OrderBy(h => h).ToList();
        Assert.Equal(AaveBorrowers.Count, hfs.Count);
        var nearOne = hfs.Count(h => h < 1.15) / (double)hfs.Count;
        Assert.True(hfs[0] > 1.0, $"an account is already liquidatable at the saved block (HF {hfs[0]})");
        Assert.InRange(nearOne, 0.15, 0.30);
        Assert.InRange(Quantile(hfs, 0.5), 1.4, 1.6);
        Assert.InRange(Quantile(hfs, 0.9), 2.0, 3.2);
        Assert.True(hfs.Count(h => h >= 3) >= 50, $"only {hfs.Count(h => h >= 3)} accounts at HF ≥ 3");

        // Morpho's own health (collateral × price × LLTV / borrowed) follows the same shape.
        var morpho = Morpho.Positions.Where(p => !p.BorrowShares.IsZero)
            .Select(p => { var m = Market(p); return (double)MorphoBlueMath.HealthFactor(m, p, m.OraclePrice) / 1e18; }).OrderBy(h => h).ToList();
        Assert.True(morpho[0] > 1.0);
        Assert.InRange(Quantile(morpho, 0.5), 1.4, 1.6);
    }

    [Fact]
    public void A_quarter_of_borrowers_use_both_protocols_and_the_largest_1_percent_hold_40_to_50_percent_of_debt()
    {
        var all = AaveBorrowers.Union(MorphoBorrowers).ToList();
        var overlap = AaveBorrowers.Intersect(MorphoBorrowers).Count() / (double)all.Count;
        Assert.InRange(overlap, 0.20, 0.30);

        var debt = all.ToDictionary(a => a, _ => 0.0);
        foreach (var a in Aave.Accounts)
            foreach (var r in a.Reserves.Where(r => !r.TotalDebt.IsZero))
                debt[a.Account] += Usd(r.Asset, r.TotalDebt);
        foreach (var p in Morpho.Positions.Where(p => !p.BorrowShares.IsZero))
            debt[p.Account] += Usd(Market(p).LoanToken, MorphoBlueMath.BorrowedAssets(Market(p), p.BorrowShares));
        var sorted = debt.Values.OrderByDescending(d => d).ToList();
        var top = sorted.Take(sorted.Count / 100).Sum() / sorted.Sum();
        Assert.InRange(top, 0.40, 0.50);
        // A long tail: the median borrower owes a tiny fraction of the largest.
        Assert.True(sorted[sorted.Count / 2] < sorted[0] / 1000);
    }

    [Fact]
    public void E_mode_loopers_hold_an_lst_and_borrow_WETH_and_some_hold_weETH_that_counts_only_in_e_mode()
    {
        var weth = S.FindAsset("WETH")!.Address;
        var lsts = new[] { S.FindAsset("wstETH")!.Address, S.FindAsset("weETH")!.Address };
        var loopers = Aave.Accounts.Where(a => a.EModeCategory != 0).ToList();
        Assert.InRange(loopers.Count / (double)AaveBorrowers.Count, 0.12, 0.25);
        Assert.All(loopers, a =>
        {
            Assert.Contains(a.Reserves, r => lsts.Contains(r.Asset) && r.UsedAsCollateral && !r.Collateral.IsZero);
            Assert.Contains(a.Reserves, r => r.Asset == weth && !r.TotalDebt.IsZero);
        });
        // weETH's base LT is 0 (3.6): outside e-mode it backs nothing, which is what the pre-3.2 reading got wrong.
        Assert.Contains(loopers, a => a.Reserves.Any(r => r.Asset == lsts[1] && !r.Collateral.IsZero));
    }

    /// <summary>
    /// A 25 % WETH drop written on chain (FixturePrices: Aave feed, wstETH follows, Morpho oracles re-derived):
    /// hundreds of Aave accounts fall below HF 1 per getUserAccountData (the same set the indexer math predicts),
    /// Morpho positions turn unhealthy too, and the WETH they hold as collateral is several times what the
    /// WETH/USDC pair absorbs within 2 % of its price.
    /// </summary>
    [Fact]
    public async Task A_25_percent_WETH_drop_puts_more_collateral_at_risk_in_both_protocols_than_the_pool_holds_near_its_price()
    {
        var node = chain.Server.Node;
        var snapshot = await node.SnapshotAsync();
        try
        {
            await new FixturePrices(node, chain.Server.Facts).ScaleUsdPriceAsync("WETH", 0.75m);
            await node.MineAsync(chain.Server.Facts.Timestamp + 12);
            var onChain = await HealthFactorsOnChainAsync(await node.BlockNumberAsync());
            var liquidatable = onChain.Where(kv => kv.Value < 1.0).Select(kv => kv.Key).ToHashSet();

            // The indexer's snapshot with the same shock applied to its prices finds the same accounts.
            var weth = S.FindAsset("WETH")!;
            var wsteth = S.FindAsset("wstETH")!;
            BigInteger Shocked(Address asset) =>
                asset == weth.Address || asset == wsteth.Address ? Aave.Market.Reserve(asset).OraclePrice * 75 / 100 : Aave.Market.Reserve(asset).OraclePrice;
            var predicted = Aave.Accounts.Where(a => AaveV3AccountMath.Calculate(Aave.Market, a, Shocked).IsLiquidatable).Select(a => a.Account).ToHashSet();
            Assert.True(liquidatable.Count >= 300, $"only {liquidatable.Count} Aave accounts liquidatable at −25 %");
            // Rounding of the shocked wstETH price may differ by one wei between the two paths: allow a handful.
            Assert.True(liquidatable.Except(predicted).Union(predicted.Except(liquidatable)).Count() <= 3, $"chain {liquidatable.Count} vs math {predicted.Count}");

            // Morpho: the ETH-collateral markets, oracle × 0.75.
            double ethAtRisk = 0;
            var unhealthy = 0;
            foreach (var p in Morpho.Positions.Where(p => !p.BorrowShares.IsZero))
            {
                var m = Market(p);
                var ethCollateral = m.CollateralToken == weth.Address || m.CollateralToken == wsteth.Address;
                var ethLoan = m.LoanToken == weth.Address;
                var price = ethCollateral && !ethLoan ? m.OraclePrice * 75 / 100 : m.OraclePrice;
                if (MorphoBlueMath.IsHealthy(m, p, price)) continue;
                unhealthy++;
                if (ethCollateral) ethAtRisk += Tokens(m.CollateralToken, p.Collateral) * (m.CollateralToken == wsteth.Address ? Ratio(wsteth) : 1);
            }
            Assert.True(unhealthy >= 100, $"only {unhealthy} Morpho positions unhealthy at −25 %");

            foreach (var a in Aave.Accounts.Where(a => liquidatable.Contains(a.Account)))
                foreach (var r in a.Reserves.Where(r => r.UsedAsCollateral))
                    if (r.Asset == weth.Address) ethAtRisk += Tokens(r.Asset, r.Collateral);
                    else if (r.Asset == wsteth.Address) ethAtRisk += Tokens(r.Asset, r.Collateral) * Ratio(wsteth);

            // x·y = k: selling Δ moves the price by (R/(R+Δ))², so 2 % takes Δ = R·(1/√0.98 − 1) ≈ 1 % of R.
            var pair = S.UniswapV2Pools().Single(p => new[] { p.Token0, p.Token1 }.Contains(weth.Address) && new[] { p.Token0, p.Token1 }.Contains(S.FindAsset("USDC")!.Address));
            var reserve = Tokens(weth.Address, pair.Token0 == weth.Address ? pair.Reserve0 : pair.Reserve1);
            var depth2Percent = reserve * (1 / Math.Sqrt(0.98) - 1);
            Assert.True(ethAtRisk > 3 * depth2Percent, $"ETH collateral at risk {ethAtRisk:0} vs {depth2Percent:0} WETH within 2 % of the pool price");
            // …but the pool is no puddle: the whole at-risk collateral sold at once would not move it past −50 %.
            Assert.True(Math.Pow(reserve / (reserve + ethAtRisk), 2) > 0.5, $"pool {reserve:0} WETH vs {ethAtRisk:0} at risk");
        }
        finally
        {
            Assert.True(await node.RevertAsync(snapshot));
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Pool.getUserAccountData(user).healthFactor for every generated borrower with Aave debt, at <paramref name="block"/>.</summary>
    private async Task<Dictionary<Address, double>> HealthFactorsOnChainAsync(long block)
    {
        using var rpc = new EthRpc(chain.Server.RpcUrl, DemoChain.TestRpc);
        var pool = Aave.Market.Pool.Value;
        var borrowers = chain.Server.Facts.AllBorrowers.Select(b => Address.Parse(b)).ToList();
        var batch = new ReadBatch();
        var replies = borrowers.Select(b => batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(pool, new() { User = b.Value })).ToList();
        await batch.ExecuteAsync(rpc, block, default);
        var result = new Dictionary<Address, double>();
        for (var i = 0; i < borrowers.Count; i++)
            if (!replies[i].Value.TotalDebtBase.IsZero)
                result[borrowers[i]] = (double)replies[i].Value.HealthFactor / (double)FixedPoint.Wad;
        return result;
    }

    private MorphoBlueMarket Market(MorphoBluePosition p) => Morpho.Markets.Single(m => m.Id == p.MarketId);

    private double Tokens(Address asset, BigInteger amount) => (double)amount / Math.Pow(10, S.Asset(asset).Decimals);

    private double Usd(Address asset, BigInteger amount) => Tokens(asset, amount) * (double)S.Asset(asset).PriceUsd / 1e8;

    private static double Ratio(Asset wsteth) => (double)wsteth.Oracle.Ratio!.Value / 1e18;

    private static double Quantile(List<double> sorted, double q) => sorted[(int)(q * (sorted.Count - 1))];
}
