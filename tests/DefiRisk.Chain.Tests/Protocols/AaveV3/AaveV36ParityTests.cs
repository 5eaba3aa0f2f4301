using System.Numerics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>The indexer and the account math against the real Aave v3.6 bytecode (POOL_REVISION 10), to the wei.</summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV36ParityTests(AaveV36Chain chain, ITestOutputHelper output)
{
    private Snapshot S => chain.Stored;
    private FixtureFacts Facts => chain.Server.Facts;
    private Address Token(string symbol) => Address.Parse(Facts.Token(symbol).Address);

    [Fact]
    public async Task Every_borrower_has_the_contracts_health_factor_collateral_and_debt_at_the_fixture_block_and_after_a_15_percent_WETH_drop()
    {
        output.WriteLine($"3.6 fixture: {AaveV36Chain.Borrowers} borrowers built in {chain.BuildTime.TotalSeconds:0.0} s (solc ran: {chain.Build.CompiledSolidity})");
        Assert.Equal(chain.Server.Block, S.Chain.BlockNumber);
        var atBlock = await AssertParityAsync(S);
        output.WriteLine($"fixture block: {atBlock}");

        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            // WETH −15 %; wstETH follows through its exchange-rate oracle (ratio × the WETH feed).
            await new FixturePrices(node, Facts).ScaleUsdPriceAsync("WETH", 0.85m);
            await node.MineAsync(S.Chain.BlockTimestamp + 60);
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            var shocked = new Storage.SnapshotStore(db).Load();
            Assert.Equal(S.Chain.BlockNumber + 1, shocked.Chain.BlockNumber);
            var after = await AssertParityAsync(shocked);
            output.WriteLine($"after WETH −15 %: {after}");
            Assert.True(after.Liquidatable > atBlock.Liquidatable, "a 15 % WETH drop made no further position liquidatable");
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }

    private sealed record ParityCount(int Compared, int EModeLoopers, int EModeOnlyCollateral, int Liquidatable)
    {
        public override string ToString() =>
            $"{Compared} borrowers equal to getUserAccountData ({EModeLoopers} in e-mode, {EModeOnlyCollateral} holding the base-LT-0 e-mode collateral), {Liquidatable} liquidatable";
    }

    private async Task<ParityCount> AssertParityAsync(Snapshot snapshot)
    {
        var state = Assert.Single(snapshot.AaveV3Markets());
        var market = state.Market;
        Assert.Equal(AaveV3Revision.V3_6, market.PoolRevision);
        var weEth = Token("weETH");
        Assert.Equal(0, market.Reserve(weEth).LiquidationThreshold);

        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var batch = new ReadBatch();
        var reference = state.Accounts.Select(a => batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(market.Pool.Value, new() { User = a.Account.Value })).ToList();
        await batch.ExecuteAsync(rpc, snapshot.Chain.BlockNumber, default);

        int compared = 0, eMode = 0, eModeOnly = 0, liquidatable = 0;
        for (var i = 0; i < state.Accounts.Count; i++)
        {
            var account = state.Accounts[i];
            var expected = reference[i].Value;
            var actual = AaveV3AccountMath.Calculate(market, account);
            Assert.Equal(expected.TotalCollateralBase, actual.TotalCollateralBase);
            Assert.Equal(expected.TotalDebtBase, actual.TotalDebtBase);
            Assert.Equal(expected.HealthFactor, actual.HealthFactor);
            Assert.Equal(expected.CurrentLiquidationThreshold, actual.AverageLiquidationThreshold);
            compared++;
            if (account.EModeCategory != 0) eMode++;
            if (account.Reserves.Any(r => r.Asset == weEth && r.UsedAsCollateral && !r.Collateral.IsZero)) eModeOnly++;
            if (actual.HasDebt && actual.IsLiquidatable) liquidatable++;
        }
        Assert.True(compared >= 50, $"only {compared} Aave borrowers compared");
        Assert.True(eMode >= 8, $"only {eMode} e-mode loopers compared");
        Assert.True(eModeOnly >= 3, $"only {eModeOnly} accounts hold the e-mode-only collateral");
        return new ParityCount(compared, eMode, eModeOnly, liquidatable);
    }

    [Fact]
    public void E_mode_membership_comes_from_the_bitmaps_not_the_unmaintained_configuration_bits()
    {
        var market = Assert.Single(S.AaveV3Markets()).Market;
        var category = Assert.Single(market.EModeCategories);
        Assert.Equal((1, 9300, 9500, 10100, "ETH correlated"), (category.Id, category.Ltv, category.LiquidationThreshold, category.LiquidationBonus, category.Label));
        Assert.Equal(new[] { Token("WETH"), Token("wstETH"), Token("weETH") }.Order(), category.CollateralAssets);
        Assert.Equal([Token("WETH")], category.BorrowableAssets!);
        Assert.Empty(category.LtvZeroAssets!);
        // 3.2 stopped writing the per-reserve e-mode bits: every reserve reads 0 there.
        Assert.All(market.Reserves, r => Assert.Equal(0, r.EModeCategory));
        // No stable debt on 3.2+; no deficit or grace period on a fresh fixture.
        Assert.All(market.Reserves, r => Assert.True(r.StableDebtToken.IsZero));
        Assert.All(market.Reserves, r => Assert.Equal((BigInteger.Zero, 0L), (r.Deficit, r.LiquidationGracePeriodUntil)));
    }

    [Fact]
    public async Task A_grace_period_and_an_ltv_zero_flag_set_on_chain_are_read_and_stored()
    {
        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            var admin = Facts.Actors.Admin;
            var configurator = chain.Server.Manifest.AaveV3()[0].PoolConfigurator!;
            // The grace period runs from the unpausing block's timestamp.
            var unpaused = await SendAsync(admin, configurator, Abi.Call("setReservePause(address,bool,uint40)", Facts.Token("WBTC").Address, false, 3600));
            await SendAsync(admin, configurator, Abi.Call("setAssetLtvzeroInEMode(address,uint8,bool)", Facts.Token("wstETH").Address, 1, true));
            var block = await node.Rpc.CallAsync("eth_getBlockByNumber", unpaused.GetProperty("blockNumber").GetString()!, false);
            var head = (long)AnvilRpc.Quantity(block.GetProperty("timestamp"));
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            var market = new Storage.SnapshotStore(db).Load().AaveV3Markets()[0].Market;
            Assert.Equal(head + 3600, market.Reserve(Token("WBTC")).LiquidationGracePeriodUntil);
            Assert.Equal(0, market.Reserve(Token("WETH")).LiquidationGracePeriodUntil);
            var category = Assert.Single(market.EModeCategories);
            Assert.Equal([Token("wstETH")], category.LtvZeroAssets!);
            Assert.True(category.IsLtvZero(Token("wstETH")));
            Assert.True(category.Contains(Token("wstETH")), "an LTV-0 member keeps its e-mode LT");
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }

    private async Task<System.Text.Json.JsonElement> SendAsync(string from, string to, string data)
    {
        var hash = (await chain.Server.Node.Rpc.CallAsync("eth_sendTransaction", new Dictionary<string, object>
        {
            ["from"] = from, ["to"] = to, ["data"] = data, ["gas"] = "0x4c4b40",
        })).GetString()!;
        // Anvil answers eth_sendTransaction before its automine task has sealed the block: poll briefly.
        var receipt = await chain.Server.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; i < 2000 && receipt.ValueKind == System.Text.Json.JsonValueKind.Null; i++)
        {
            await Task.Delay(1);
            receipt = await chain.Server.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return receipt;
    }

    [Fact]
    public void The_pre_3_2_reading_would_misjudge_the_e_mode_loopers()
    {
        // Today's-bug reading: members from the reserve configuration's e-mode bits (0 on 3.2+), LT and bonus from the
        // still-answering legacy getEModeCategoryData.
        var state = Assert.Single(S.AaveV3Markets());
        var market = state.Market;
        var legacy = market with
        {
            EModeCategories = market.EModeCategories.Select(e => e with
            {
                CollateralAssets = market.Reserves.Where(r => r.EModeCategory == e.Id).Select(r => r.Asset).ToList(),
            }).ToList(),
        };
        int eMode = 0, wrongHf = 0, falselyLiquidatable = 0;
        foreach (var account in state.Accounts.Where(a => a.EModeCategory != 0))
        {
            eMode++;
            var right = AaveV3AccountMath.Calculate(market, account);
            var wrong = AaveV3AccountMath.Calculate(legacy, account);
            if (right.HealthFactor != wrong.HealthFactor) wrongHf++;
            if (wrong.IsLiquidatable && !right.IsLiquidatable) falselyLiquidatable++;
        }
        output.WriteLine($"{eMode} e-mode accounts on the 3.6 fixture: the pre-3.2 reading gets {wrongHf} health factors wrong and calls {falselyLiquidatable} healthy ones liquidatable");
        Assert.Equal(eMode, wrongHf);
        Assert.True(falselyLiquidatable > 0);
    }

    [Fact]
    public async Task A_codebase_whose_revision_is_not_in_the_table_is_refused_by_name()
    {
        var manifest = DeploymentManifest.Load(chain.ManifestPath);
        var spark = Path.Combine(chain.TempDir, "sparklend.json");
        WithFirstPool(manifest, p => p with { Codebase = AaveV3Releases.SparkLend }).Save(spark);
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => IndexCommand.RunAsync(
            new IndexCommand.IndexRequest(chain.Server.RpcUrl, chain.NewDatabase(), spark, IndexCommand.BlockChoice.Default),
            Cli.AppSettings.Load(), Indexing.DemoChain.TestRpc, null, default));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("codebase sparklend POOL_REVISION 10", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);

        // A "pool" that has no POOL_REVISION (here the data provider): no rules are guessed.
        var notAPool = Path.Combine(chain.TempDir, "not-a-pool.json");
        WithFirstPool(manifest, p => p with { Pool = p.DataProvider }).Save(notAPool);
        ex = await Assert.ThrowsAsync<DefiRiskException>(() => IndexCommand.RunAsync(
            new IndexCommand.IndexRequest(chain.Server.RpcUrl, chain.NewDatabase(), notAPool, IndexCommand.BlockChoice.Default),
            Cli.AppSettings.Load(), Indexing.DemoChain.TestRpc, null, default));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("POOL_REVISION() could not be read (codebase aave)", ex.Message);
    }

    /// <summary>The manifest with its first Aave pool changed by <paramref name="change"/>, every other section as it was.</summary>
    private static DeploymentManifest WithFirstPool(DeploymentManifest manifest, Func<AaveV3Deployment, AaveV3Deployment> change) =>
        manifest with
        {
            Sections = [.. manifest.Sections.Select(s => s is AaveV3Section aave ? new AaveV3Section([change(aave.Pools[0]), .. aave.Pools.Skip(1)]) : s)],
        };
}
