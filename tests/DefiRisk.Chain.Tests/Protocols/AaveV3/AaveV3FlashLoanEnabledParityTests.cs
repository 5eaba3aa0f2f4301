using System.Numerics;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Which Aave reserves a liquidator can flash-borrow: the flash-loan-enabled bit (configuration bit 63) read at the block,
/// against the real Aave v3.6 Pool's own refusal (<c>validateFlashloanSimple</c>: <c>FlashloanDisabled()</c>). The bundled
/// fixtures enable it on every reserve, as every Aave listing does; a reserve switched off on chain is what the next index
/// reads, and the book then offers no flash loan of it.
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV3FlashLoanEnabledParityTests(AaveV36Chain chain)
{
    private static readonly string FlashloanDisabled = "0x" + Abi.Selector("FlashloanDisabled()");

    /// <summary>The revert data of <c>flashLoanSimple</c> asked of the Pool by an account without code (null: no revert).</summary>
    private async Task<string?> FlashLoanRevertAsync(string pool, Address asset)
    {
        var borrower = chain.Server.Facts.Actors.Liquidator;
        try
        {
            await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["from"] = borrower, ["to"] = pool,
                ["data"] = Abi.Call("flashLoanSimple(address,address,uint256,bytes,uint16)", borrower, asset.Value, BigInteger.One, Array.Empty<byte>(), 0),
            }, "latest");
            return null;
        }
        catch (DefiRiskException e) { return e.Message; }
    }

    [Fact]
    public async Task The_flag_is_read_at_the_block_and_a_reserve_switched_off_on_chain_is_refused_by_the_pool_and_offers_no_flash_loan_in_the_next_index()
    {
        var market = Assert.Single(chain.Stored.AaveV3Markets()).Market;
        Assert.All(market.Reserves, r => Assert.True(r.FlashLoanEnabled, $"{r.Asset}: the fixture enables flash loans on every reserve"));
        var weth = chain.Server.Facts.Token("WETH").Address;
        var usdc = chain.Server.Facts.Token("USDC").Address;
        // Enabled: the Pool gets past its validation (and fails later, calling executeOperation on an account without code).
        Assert.DoesNotContain(FlashloanDisabled, await FlashLoanRevertAsync(market.Pool.Value, Address.Parse(weth)) ?? "");

        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            var configurator = chain.Server.Manifest.AaveV3()[0].PoolConfigurator!;
            await chain.Server.AdminSendAsync(configurator, Abi.Call("setReserveFlashLoaning(address,bool)", weth, false));
            Assert.Contains(FlashloanDisabled, await FlashLoanRevertAsync(market.Pool.Value, Address.Parse(weth)) ?? "no revert");
            Assert.DoesNotContain(FlashloanDisabled, await FlashLoanRevertAsync(market.Pool.Value, Address.Parse(usdc)) ?? "");

            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            var book = new Storage.SnapshotStore(db).Load().Book<AaveV3Book>()!;
            var reread = Assert.Single(book.Markets).Market;
            Assert.False(reread.Reserves.Single(r => r.Asset == Address.Parse(weth)).FlashLoanEnabled);
            Assert.Null(Assert.Single(book.FlashLoans(Address.Parse(weth))));
            Assert.NotNull(Assert.Single(book.FlashLoans(Address.Parse(usdc))));
            Assert.Contains($"flash loans enabled on {reread.Reserves.Count - 1} of {reread.Reserves.Count} reserves", book.FlashLoanTerms);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }
}

/// <summary>Before 3.1 there is no virtual balance: what <c>flashLoanSimple</c> can lend is the aToken's balance of the underlying, read at the block.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV30FlashLiquidityParityTests(DemoChain chain)
{
    [Fact]
    public async Task Each_reserves_flash_liquidity_is_the_atokens_balance_of_the_underlying_and_the_book_offers_exactly_that()
    {
        var book = chain.Stored.Book<AaveV3Book>()!;
        var market = Assert.Single(book.Markets).Market;
        Assert.True(market.PoolRevision < AaveV3Revision.V3_1);
        foreach (var r in market.Reserves)
        {
            var balance = await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["to"] = r.Asset.Value, ["data"] = Abi.Call("balanceOf(address)", r.AToken.Value),
            }, "0x" + chain.Stored.Chain.BlockNumber.ToString("x"));
            Assert.Equal(Abi.UIntAt(balance.GetString()!, 0), r.UnderlyingBalance);
            Assert.Null(r.VirtualUnderlyingBalance);
            Assert.True(r.FlashLoanEnabled);
            Assert.Equal(r.UnderlyingBalance, Assert.Single(book.FlashLoans(r.Asset))!.Available);
        }
    }
}
