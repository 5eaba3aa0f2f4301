using System.Numerics;
using System.Text.Json;
using DefiRisk.Harness;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>The committed fixture, served on a fresh anvil, holds what its manifest promises.</summary>
[Trait("Category", "ChainParity")]
public sealed class BundledFixtureTests(BundledFixture fixture) : IClassFixture<BundledFixture>
{
    private FixtureServer Server => fixture.Server;
    private FixtureFacts Facts => fixture.Server.Facts;
    private BlockParameter SavedBlock => new(new HexBigInteger(Server.Block));

    private static string Abi(string name) =>
        File.ReadAllText(Path.Combine(NodeModules.Locate().RepositoryRoot, "abi", name + ".json"));

    [Fact]
    public async Task Loads_at_the_saved_block_with_the_manifest_chain_id()
    {
        Assert.Equal(Server.Manifest.Block, await Server.Node.BlockNumberAsync());
        Assert.Equal(Server.Manifest.ChainId, (long)(await Server.Node.Web3.Eth.ChainId.SendRequestAsync()).Value);
        Assert.Equal(Facts.Timestamp, await Server.Node.LatestTimestampAsync());
    }

    [Fact]
    public async Task Every_address_in_the_manifest_has_code()
    {
        var aave = Assert.Single(Server.Manifest.AaveV3());
        var addresses = new List<string> { aave.Pool, aave.DataProvider, aave.Oracle, aave.PoolAddressesProvider!, aave.PoolConfigurator!, aave.AclManager!,
            Server.Manifest.MorphoBlue()!.Morpho, Server.Manifest.UniswapV2()!.Factory!, Facts.MorphoIrm, Facts.ExchangeRateAggregator.Address };
        addresses.AddRange(Server.Manifest.UniswapV2()!.Pairs);
        addresses.AddRange(Facts.PriceFeeds.Values);
        addresses.AddRange(Facts.Tokens.Values.SelectMany(t => new[] { t.Address, t.AToken, t.VariableDebtToken, t.StableDebtToken }));
        addresses.AddRange(Facts.MorphoMarkets.Select(m => m.Oracle));
        foreach (var address in addresses)
        {
            var code = await Server.Node.Web3.Eth.GetCode.SendRequestAsync(address, SavedBlock);
            Assert.True(code.Length > 2, $"no code at {address}");
        }
    }

    [Fact]
    public async Task Aave_health_factors_spread_from_just_above_one_to_a_long_tail()
    {
        var pool = Server.Node.Web3.Eth.GetContract(Abi("AaveV3Pool"), Server.Manifest.AaveV3()[0].Pool).GetFunction("getUserAccountData");
        var healthFactors = new List<double>();
        foreach (var borrower in Facts.Borrowers)
        {
            var data = await pool.CallDecodingToDefaultAsync(SavedBlock, borrower);
            var debt = (BigInteger)data[1].Result;
            if (debt.IsZero) continue; // Morpho-only borrower
            healthFactors.Add((double)(BigInteger)data[5].Result / 1e18);
        }
        Assert.Equal(Facts.AaveBorrowers, healthFactors.Count);
        Assert.True(healthFactors.Count >= 300, $"only {healthFactors.Count} Aave borrowers");
        Assert.All(healthFactors, hf => Assert.True(hf > 1.0, $"HF {hf} is liquidatable at the saved block"));
        Assert.True(healthFactors.Count(hf => hf < 1.1) >= 20, $"{healthFactors.Count(hf => hf < 1.1)} borrowers in (1.0, 1.1)");
        Assert.True(healthFactors.Count(hf => hf > 2.0) >= 50, "no long tail above HF 2");
        Assert.True(healthFactors.Max() < 3.5);
    }

    [Fact]
    public async Task About_a_quarter_of_Aave_borrowers_also_borrow_on_Morpho()
    {
        var morpho = Server.Node.Web3.Eth.GetContract(Abi("MorphoBlue"), Server.Manifest.MorphoBlue()!.Morpho).GetFunction("position");
        var ids = Server.Manifest.MorphoBlue()!.Markets.Select(id => Convert.FromHexString(id[2..])).ToList();
        var withMorphoDebt = 0;
        foreach (var borrower in Facts.Borrowers)
        {
            foreach (var id in ids)
            {
                var position = await morpho.CallDecodingToDefaultAsync(SavedBlock, id, borrower);
                if ((BigInteger)position[1].Result > 0) { withMorphoDebt++; break; }
            }
        }
        Assert.Equal(Facts.MorphoBorrowers, withMorphoDebt);
        var share = (double)Facts.CrossProtocolBorrowers / Facts.AaveBorrowers;
        Assert.InRange(share, 0.18, 0.35);
    }

    [Fact]
    public async Task Moving_WETH_moves_wstETH_through_the_exchange_rate_oracle_and_the_Morpho_oracles()
    {
        var node = Server.Node;
        var snapshot = await node.SnapshotAsync();
        try
        {
            var prices = new FixturePrices(node, Facts);
            var oracle = node.Web3.Eth.GetContract(Abi("AaveOracle"), Server.Manifest.AaveV3()[0].Oracle).GetFunction("getAssetPrice");
            var wstEth = Facts.Token("wstETH").Address;
            Assert.Equal(BigInteger.Parse(Facts.PricesUsd["wstETH"]), await oracle.CallAsync<BigInteger>(wstEth));

            await prices.ScaleUsdPriceAsync("WETH", 0.7m); // a 30 % drop
            var weth = await prices.GetUsdPriceAsync("WETH");
            Assert.Equal(BigInteger.Parse(Facts.PricesUsd["WETH"]) * 7 / 10, weth);
            Assert.Equal(weth * BigInteger.Parse(Facts.ExchangeRateAggregator.Ratio) / BigInteger.Pow(10, 18), await oracle.CallAsync<BigInteger>(wstEth));

            // Morpho's WETH/USDC oracle: usdColl/usdLoan × 10^(36 + 6 − 18).
            var market = Facts.MorphoMarkets.Single(m => m.Name == "WETH/USDC");
            var price = node.Web3.Eth.GetContract(Abi("OracleMock"), market.Oracle).GetFunction("price");
            Assert.Equal(weth * BigInteger.Pow(10, 24) / BigInteger.Parse(Facts.PricesUsd["USDC"]), await price.CallAsync<BigInteger>());
        }
        finally
        {
            Assert.True(await node.RevertAsync(snapshot));
        }
    }

    [Fact]
    public async Task Uniswap_pairs_hold_reserves_at_the_oracle_price()
    {
        var pairAddress = Facts.UniswapPairs["WETH/USDC"];
        var pair = Server.Node.Web3.Eth.GetContract(Abi("UniswapV2Pair"), pairAddress);
        var reserves = await pair.GetFunction("getReserves").CallDecodingToDefaultAsync(SavedBlock);
        var token0 = await pair.GetFunction("token0").CallAsync<string>(SavedBlock);
        var (weth, usdc) = string.Equals(token0, Facts.Token("WETH").Address, StringComparison.OrdinalIgnoreCase)
            ? ((BigInteger)reserves[0].Result, (BigInteger)reserves[1].Result)
            : ((BigInteger)reserves[1].Result, (BigInteger)reserves[0].Result);
        Assert.Equal(BigInteger.Parse("5000") * BigInteger.Pow(10, 18), weth);
        // USD per WETH from the pool (USDC has 6 decimals, WETH 18) equals the oracle's 8-decimal price.
        Assert.Equal(BigInteger.Parse(Facts.PricesUsd["WETH"]), usdc * BigInteger.Pow(10, 12) * 100_000_000 / weth);
    }

    [Fact]
    public async Task The_first_block_after_loading_continues_from_the_saved_time_not_the_wall_clock()
    {
        var node = Server.Node;
        var snapshot = await node.SnapshotAsync();
        try
        {
            await node.MineAsync();
            var elapsed = await node.LatestTimestampAsync() - Facts.Timestamp;
            Assert.InRange(elapsed, 0, 120);
        }
        finally
        {
            Assert.True(await node.RevertAsync(snapshot));
        }
    }

    [Fact]
    public async Task A_borrower_pushed_below_health_factor_one_can_be_liquidated_through_the_real_pool()
    {
        var node = Server.Node;
        var snapshot = await node.SnapshotAsync();
        try
        {
            var poolAddress = Server.Manifest.AaveV3()[0].Pool;
            var pool = node.Web3.Eth.GetContract(Abi("AaveV3Pool"), poolAddress);
            await new FixturePrices(node, Facts).ScaleUsdPriceAsync("WETH", 0.6m);
            // A borrower with WETH collateral and USDC debt whose HF is now below one.
            var usdc = Facts.Token("USDC");
            var weth = Facts.Token("WETH");
            var debtToken = node.Web3.Eth.GetContract(Abi("VariableDebtToken"), usdc.VariableDebtToken);
            var aWeth = node.Web3.Eth.GetContract(Abi("AToken"), weth.AToken);
            string? victim = null;
            var debtBefore = BigInteger.Zero;
            foreach (var b in Facts.Borrowers)
            {
                var data = await pool.GetFunction("getUserAccountData").CallDecodingToDefaultAsync(b);
                if ((BigInteger)data[5].Result >= BigInteger.Pow(10, 18)) continue;
                debtBefore = await debtToken.GetFunction("balanceOf").CallAsync<BigInteger>(b);
                if (debtBefore.IsZero || (await aWeth.GetFunction("balanceOf").CallAsync<BigInteger>(b)).IsZero) continue;
                victim = b;
                break;
            }
            Assert.NotNull(victim);
            var liquidator = Facts.Actors.Liquidator;
            var max = (BigInteger.One << 256) - 1;
            var token = node.Web3.Eth.GetContract(Abi("MintableERC20"), usdc.Address);
            await Send(token.GetFunction("mint").CreateTransactionInput(liquidator, new HexBigInteger(200_000), null, liquidator, debtBefore * 2));
            await Send(token.GetFunction("approve").CreateTransactionInput(liquidator, new HexBigInteger(100_000), null, poolAddress, max));
            await Send(pool.GetFunction("liquidationCall").CreateTransactionInput(liquidator, new HexBigInteger(2_000_000), null,
                Facts.Token("WETH").Address, usdc.Address, victim, max, false));
            Assert.True(await debtToken.GetFunction("balanceOf").CallAsync<BigInteger>(victim) < debtBefore);
        }
        finally
        {
            Assert.True(await node.RevertAsync(snapshot));
        }

        async Task Send(TransactionInput tx)
        {
            var receipt = await node.Web3.Eth.TransactionManager.SendTransactionAndWaitForReceiptAsync(tx);
            Assert.Equal(1, (int)receipt.Status.Value);
        }
    }
}
