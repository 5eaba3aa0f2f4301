using DefiRisk.Chain.Rpc;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// <c>FLASHLOAN_PREMIUM_TOTAL</c> read by the indexer at the pinned block from the real Aave v3.6 Pool (one more call in
/// the pool's first read round), stored, and what the flash-loan terms then state; a premium changed on chain is what the
/// next index reads (no constant stands in for it).
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV3FlashPremiumParityTests(AaveV36Chain chain)
{
    private async Task<int> PremiumOnChainAsync(string pool)
    {
        var result = await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = pool, ["data"] = Abi.Call("FLASHLOAN_PREMIUM_TOTAL()") }, "latest");
        return (int)Abi.UIntAt(result.GetString()!, 0);
    }

    [Fact]
    public async Task The_flash_loan_premium_is_read_at_the_block_and_a_premium_changed_on_chain_is_what_the_next_index_reads()
    {
        var market = Assert.Single(chain.Stored.AaveV3Markets()).Market;
        Assert.Equal(await PremiumOnChainAsync(market.Pool.Value), market.FlashLoanPremiumTotal);
        Assert.Contains($"{market.Name} {market.FlashLoanPremiumTotal} bps read at the snapshot block", chain.Stored.Book<AaveV3Book>()!.FlashLoanTerms);

        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            var configurator = chain.Server.Manifest.AaveV3()[0].PoolConfigurator!;
            var changed = market.FlashLoanPremiumTotal == 13 ? 17 : 13;
            await chain.Server.AdminSendAsync(configurator, Abi.Call("updateFlashloanPremium(uint128)", changed));
            Assert.Equal(changed, await PremiumOnChainAsync(market.Pool.Value));
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            Assert.Equal(changed, new Storage.SnapshotStore(db).Load().AaveV3Markets()[0].Market.FlashLoanPremiumTotal);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }
}
