using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>The stored snapshot against the contracts themselves, at the snapshot block, to the wei.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class IndexerParityTests(DemoChain chain)
{
    private Snapshot S => chain.Stored;

    [Fact]
    public async Task Every_aave_borrower_has_the_contracts_health_factor_collateral_and_debt()
    {
        Assert.Equal(chain.Server.Block, S.Chain.BlockNumber);
        await AssertAaveParityAsync(S, shocked: false);
        await WithShockAsync(shocked => AssertAaveParityAsync(shocked, shocked: true));
    }

    private async Task AssertAaveParityAsync(Snapshot S, bool shocked)
    {
        var market = Assert.Single(S.AaveV3Markets());
        var accounts = market.Accounts.ToDictionary(a => a.Account);
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var pool = market.Market.Pool.Value;

        // Every borrower the fixture generated: the contract's view of it, and ours from the stored snapshot.
        var batch = new ReadBatch();
        var candidates = chain.Server.Facts.Borrowers.Select(b => Address.Parse(b)).Union(accounts.Keys).ToList();
        var reference = candidates.Select(a => batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(pool, new() { User = a.Value })).ToList();
        await batch.ExecuteAsync(rpc, S.Chain.BlockNumber, default);

        var rows = PositionsCommand.Rows(S, ProtocolNames.AaveV3).ToDictionary(r => r.Account);
        var compared = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            var expected = reference[i].Value;
            if (expected.TotalDebtBase.IsZero && expected.TotalCollateralBase.IsZero && !accounts.ContainsKey(candidates[i])) continue;
            if (expected.TotalDebtBase.IsZero && !accounts.ContainsKey(candidates[i])) continue; // never borrowed: not discoverable by Borrow logs
            Assert.True(accounts.ContainsKey(candidates[i]), $"borrower {candidates[i]} (debt {expected.TotalDebtBase}) is missing from the snapshot");
            var actual = AaveV3AccountMath.Calculate(market.Market, accounts[candidates[i]]);
            Assert.Equal(expected.TotalCollateralBase, actual.TotalCollateralBase);
            Assert.Equal(expected.TotalDebtBase, actual.TotalDebtBase);
            Assert.Equal(expected.CurrentLiquidationThreshold, actual.AverageLiquidationThreshold);
            Assert.Equal(expected.HealthFactor, actual.HealthFactor);
            // The positions verb reports the same numbers.
            Assert.Equal(expected.TotalDebtBase.IsZero ? null : expected.HealthFactor, rows[candidates[i]].HealthFactor);
            Assert.Equal(expected.TotalCollateralBase, rows[candidates[i]].CollateralValue);
            compared++;
        }
        Assert.True(compared >= 10, $"only {compared} Aave borrowers compared");
        Assert.Contains(accounts.Values, a => a.EModeCategory != 0);
        if (shocked) Assert.Contains(accounts.Values, a => AaveV3AccountMath.Calculate(market.Market, a).IsLiquidatable);
    }

    [Fact]
    public void Reserves_oracles_and_emode_are_decoded_from_the_chain()
    {
        var market = S.AaveV3Markets()[0].Market;
        Assert.Equal(5, market.Reserves.Count);
        foreach (var (symbol, token) in chain.Server.Facts.Tokens)
        {
            var asset = S.FindAsset(symbol);
            Assert.NotNull(asset);
            Assert.Equal(Address.Parse(token.Address), asset.Address);
            Assert.Equal(token.Decimals, asset.Decimals);
            Assert.Equal(BigInteger.Parse(chain.Server.Facts.PricesUsd[symbol]), asset.PriceUsd);
            var reserve = market.Reserve(asset.Address);
            Assert.Equal(Address.Parse(token.AToken), reserve.AToken);
            Assert.True(reserve.LiquidationThreshold > reserve.Ltv);
        }
        var wsteth = S.FindAsset("wstETH")!;
        Assert.Equal(OracleKind.ExchangeRate, wsteth.Oracle.Kind);
        Assert.Equal(S.FindAsset("WETH")!.Address, wsteth.Oracle.BaseAsset);
        Assert.Equal(BigInteger.Parse(chain.Server.Facts.ExchangeRateAggregator.Ratio), wsteth.Oracle.Ratio);
        Assert.Equal(OracleKind.Market, S.FindAsset("USDC")!.Oracle.Kind);
        Assert.NotEmpty(market.EModeCategories);
        Assert.All(market.EModeCategories, e => Assert.NotEmpty(e.CollateralAssets));
        Assert.NotEmpty(S.UniswapV2Pools());
    }

    [Fact]
    public async Task Every_morpho_position_matches_the_contract_collateral_borrowed_assets_and_health()
    {
        await AssertMorphoParityAsync(S, shocked: false);
        await WithShockAsync(shocked => AssertMorphoParityAsync(shocked, shocked: true));
    }

    private async Task AssertMorphoParityAsync(Snapshot S, bool shocked)
    {
        var state = Assert.Single(S.MorphoBlue());
        Assert.Equal(chain.Server.Facts.MorphoMarkets.Count, state.Markets.Count);
        Assert.True(state.Positions.Count >= 5, $"only {state.Positions.Count} Morpho positions");
        var morpho = state.Morpho.Value;
        var block = EthRpc.Hex(S.Chain.BlockNumber);
        var payer = chain.Server.Facts.Actors.Liquidator.ToLowerInvariant();
        var rpc = chain.Server.Node.Rpc;
        int healthy = 0, unhealthy = 0;

        foreach (var p in state.Positions)
        {
            var m = state.Markets.Single(x => x.Id == p.MarketId);
            var id = p.MarketId.HexToByteArray();
            var onChain = new PositionOutput().DecodeOutput((await rpc.CallAsync("eth_call",
                Tx(morpho, new PositionFunction { Id = id, User = p.Account.Value }), block)).GetString()!);
            Assert.Equal(onChain.Collateral, p.Collateral);
            Assert.Equal(onChain.BorrowShares, p.BorrowShares);
            if (p.BorrowShares.IsZero) continue;
            var mp = Params(m);

            // Borrowed assets: repay(all shares) by a payer funded through a state override returns the
            // assets the contract charges = toAssetsUp(shares) with totals accrued to this block.
            var overrides = FundedPayer(m.LoanToken.Value, payer, morpho);
            var repaid = new RepayOutput().DecodeOutput((await rpc.CallAsync("eth_call",
                Tx(morpho, new RepayFunction { MarketParams = mp, Shares = p.BorrowShares, OnBehalf = p.Account.Value, Data = [] }, payer), block, overrides)).GetString()!);
            Assert.Equal(MorphoBlueMath.BorrowedAssets(m, p.BorrowShares), repaid.AssetsRepaid);

            // Health: liquidating a healthy position reverts with "position is healthy" (Morpho._isHealthy).
            string? revert = null;
            try { await rpc.CallAsync("eth_call", Tx(morpho, new LiquidateFunction { MarketParams = mp, Borrower = p.Account.Value, SeizedAssets = 1, Data = [] }, payer), block, overrides); }
            catch (DefiRiskException ex) { revert = ex.Message; }
            var contractHealthy = revert?.Contains("position is healthy") == true;
            Assert.Equal(contractHealthy, MorphoBlueMath.IsHealthy(m, p, m.OraclePrice));
            if (contractHealthy) healthy++; else unhealthy++;
        }
        Assert.True(healthy > 0, "no healthy Morpho borrower compared");
        if (shocked) Assert.True(unhealthy > 0, $"the shocked state should hold unhealthy Morpho borrowers (healthy {healthy})");
    }

    [Fact]
    public async Task Interest_accrual_matches_the_contracts_accrueInterest_to_the_wei()
    {
        var state = S.MorphoBlue()[0];
        var node = chain.Server.Node;
        var morpho = state.Morpho.Value;
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var snapshot = await node.SnapshotAsync();
        try
        {
            // Raw (stored) market and the IRM's rate at the snapshot block, then let the contract accrue a day later.
            var batch = new ReadBatch();
            var raw = state.Markets.Select(m => batch.Add<MarketFunction, MarketOutput>(morpho, new() { Id = m.Id.HexToByteArray() })).ToList();
            await batch.ExecuteAsync(rpc, S.Chain.BlockNumber, default);
            var later = S.Chain.BlockTimestamp + 86_400;
            await node.SetNextBlockTimestampAsync(later);
            await node.SetAutomineAsync(false);
            foreach (var m in state.Markets)
                await node.Rpc.CallAsync("eth_sendTransaction", Tx(morpho, new AccrueInterestFunction { MarketParams = Params(m) }, chain.Server.Facts.Actors.Admin));
            await node.MineAsync();
            await node.SetAutomineAsync(true);
            var after = state.Markets.Select(m => batch.Add<MarketFunction, MarketOutput>(morpho, new() { Id = m.Id.HexToByteArray() })).ToList();
            var head = await rpc.BlockNumberAsync(default);
            await batch.ExecuteAsync(rpc, head, default);

            var accrued = 0;
            for (var i = 0; i < state.Markets.Count; i++)
            {
                var r = raw[i].Value;
                var m = state.Markets[i];
                var stored = m with { TotalSupplyAssets = r.TotalSupplyAssets, TotalSupplyShares = r.TotalSupplyShares, TotalBorrowAssets = r.TotalBorrowAssets, TotalBorrowShares = r.TotalBorrowShares, LastUpdate = (long)r.LastUpdate, Fee = r.Fee };
                var rate = batch.Add<BorrowRateViewFunction, Uint256Output>(m.Irm.Value, new()
                {
                    MarketParams = Params(m),
                    Market = new() { TotalSupplyAssets = r.TotalSupplyAssets, TotalSupplyShares = r.TotalSupplyShares, TotalBorrowAssets = r.TotalBorrowAssets, TotalBorrowShares = r.TotalBorrowShares, LastUpdate = r.LastUpdate, Fee = r.Fee },
                });
                await batch.ExecuteAsync(rpc, S.Chain.BlockNumber, default);
                var expected = MorphoBlueInterest.Accrue(stored, rate.Value.Value, later);
                var actual = after[i].Value;
                Assert.Equal(actual.TotalBorrowAssets, expected.TotalBorrowAssets);
                Assert.Equal(actual.TotalSupplyAssets, expected.TotalSupplyAssets);
                Assert.Equal(actual.TotalSupplyShares, expected.TotalSupplyShares);
                Assert.Equal((long)actual.LastUpdate, expected.LastUpdate);
                if (actual.TotalBorrowAssets != r.TotalBorrowAssets) accrued++;
            }
            Assert.True(accrued > 0, "no market accrued any interest: the test proves nothing");
        }
        finally
        {
            await node.SetAutomineAsync(true);
            Assert.True(await node.RevertAsync(snapshot));
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// A 30 % price shock written into the fixture's feeds (Aave MockAggregators and Morpho OracleMocks keep
    /// their answer in storage slot 0), mined into a new block a minute later (so Morpho interest accrues),
    /// indexed at that block into a fresh database and loaded back; the chain is reverted afterwards.
    /// </summary>
    private async Task WithShockAsync(Func<Snapshot, Task> check)
    {
        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            foreach (var (symbol, feed) in chain.Server.Facts.PriceFeeds)
                if (symbol != "USDC" && symbol != "DAI" && symbol != "wstETH")
                    await node.SetStorageAtAsync(feed, 0, await node.GetStorageAtAsync(feed, 0) * 7 / 10);
            foreach (var m in chain.Server.Facts.MorphoMarkets)
                await node.SetStorageAtAsync(m.Oracle, 0, await node.GetStorageAtAsync(m.Oracle, 0) * 7 / 10);
            await node.MineAsync(S.Chain.BlockTimestamp + 60);
            var db = chain.NewDatabase();
            await IndexCommand.RunAsync(new IndexCommand.IndexRequest(chain.Server.RpcUrl, db, chain.ManifestPath, IndexCommand.ParseBlock("latest")),
                Cli.AppSettings.Load(), DemoChain.TestRpc, null, default);
            var shocked = new Storage.SnapshotStore(db).Load();
            Assert.Equal(S.Chain.BlockNumber + 1, shocked.Chain.BlockNumber);
            await check(shocked);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }

    private static MarketParamsTuple Params(MorphoBlueMarket m) => new()
    {
        LoanToken = m.LoanToken.Value, CollateralToken = m.CollateralToken.Value, Oracle = m.Oracle.Value, Irm = m.Irm.Value, Lltv = m.Lltv,
    };

    private static JsonObject Tx<T>(string to, T message, string? from = null) where T : FunctionMessage, new()
    {
        var tx = new JsonObject { ["to"] = to, ["data"] = message.GetCallData().ToHex(true), ["gas"] = "0x1c9c380" };
        if (from is not null) tx["from"] = from;
        return tx;
    }

    /// <summary>
    /// eth_call state override giving <paramref name="payer"/> a huge balance of <paramref name="token"/> and an
    /// allowance to <paramref name="spender"/>. MintableERC20 (Aave mocks) keeps _balances in slot 0 and
    /// _allowances in slot 1 (OpenZeppelin layout); the Morpho test checks the effect, not the layout.
    /// </summary>
    private static JsonObject FundedPayer(string token, string payer, string spender)
    {
        var big = "0x" + (BigInteger.One << 200).ToString("x64").PadLeft(64, '0')[^64..];
        var balanceSlot = MappingSlot(payer, 0);
        var allowanceSlot = MappingSlot(spender, BigInteger.Parse("0" + MappingSlot(payer, 1)[2..], System.Globalization.NumberStyles.HexNumber));
        return new JsonObject { [token] = new JsonObject { ["stateDiff"] = new JsonObject { [balanceSlot] = big, [allowanceSlot] = big } } };
    }

    private static string MappingSlot(string key, BigInteger slot)
    {
        var data = new byte[64];
        key.HexToByteArray().CopyTo(data, 12);
        var s = slot.ToByteArray(isUnsigned: true, isBigEndian: true);
        s.CopyTo(data, 64 - s.Length);
        return Sha3Keccack.Current.CalculateHash(data).ToHex(true);
    }
}
