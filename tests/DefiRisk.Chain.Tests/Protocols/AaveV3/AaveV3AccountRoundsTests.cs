using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// A large book's accounts are read in rounds (user configurations, then balances), so the indexer holds one round's
/// replies at a time (issue 13 item 6: 100,000 borrowers within 1 GiB). Read in rounds of 37 accounts, the demo book
/// is the one read in a single round; so is the book read in rounds that each fill a given request body.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV3AccountRoundsTests(DemoChain chain)
{
    [Fact]
    public async Task A_book_read_in_rounds_of_a_few_accounts_equals_the_book_read_in_one_round()
    {
        var deployment = chain.Server.Manifest.AaveV3()[0];
        var pool = deployment.Pool.ToLowerInvariant();
        var accounts = chain.Server.Facts.Borrowers.Select(b => new DiscoveredAccount(pool, b.ToLowerInvariant())).ToList();
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var reader = new PinnedBlockReader(rpc, accounts, chain.Server.Block, chain.Server.Facts.Timestamp);
        var section = new AaveV3Section([deployment]);

        var whole = Assert.Single(Assert.IsType<AaveV3Book>((await new AaveV3Adapter().ReadAsync(section, new AssetTable(), reader, default)).Book).Markets);
        var rounds = Assert.Single(Assert.IsType<AaveV3Book>((await new AaveV3Adapter(accountsPerRound: 37).ReadAsync(section, new AssetTable(), reader, default)).Book).Markets);

        Assert.True(accounts.Count > 37 * 5, $"{accounts.Count} accounts make too few rounds of 37");
        Assert.True(whole.Accounts.Count > 37 * 3, $"only {whole.Accounts.Count} Aave accounts");
        Assert.Equal(whole.Market.Reserves, rounds.Market.Reserves);
        Assert.Equal(whole.Market.EModeCategories.Select(e => (e.Id, e.LiquidationThreshold, string.Join(",", e.CollateralAssets))),
            rounds.Market.EModeCategories.Select(e => (e.Id, e.LiquidationThreshold, string.Join(",", e.CollateralAssets))));
        Assert.Equal(whole.Accounts.Count, rounds.Accounts.Count);
        for (var i = 0; i < whole.Accounts.Count; i++)
        {
            Assert.Equal(whole.Accounts[i].Account, rounds.Accounts[i].Account);
            Assert.Equal(whole.Accounts[i].EModeCategory, rounds.Accounts[i].EModeCategory);
            Assert.Equal(whole.Accounts[i].Reserves, rounds.Accounts[i].Reserves);
        }
    }

    [Fact]
    public async Task Rounds_sized_by_request_body_close_at_the_account_that_fills_the_body_and_read_the_same_book()
    {
        var deployment = chain.Server.Manifest.AaveV3()[0];
        var pool = deployment.Pool.ToLowerInvariant();
        var accounts = chain.Server.Facts.Borrowers.Select(b => new DiscoveredAccount(pool, b.ToLowerInvariant())).ToList();
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var section = new AaveV3Section([deployment]);
        var whole = Assert.Single(Assert.IsType<AaveV3Book>((await new AaveV3Adapter().ReadAsync(section, new AssetTable(),
            new PinnedBlockReader(rpc, accounts, chain.Server.Block, chain.Server.Facts.Timestamp), default)).Book).Markets);

        // 8,000 characters: about 50 accounts' configuration reads, 40 accounts' balances.
        const long budget = 8_000;
        var reader = new PinnedBlockReader(rpc, accounts, chain.Server.Block, chain.Server.Facts.Timestamp);
        var rounds = Assert.Single(Assert.IsType<AaveV3Book>((await new AaveV3Adapter(charsPerRound: budget).ReadAsync(section, new AssetTable(), reader, default)).Book).Markets);

        Assert.True(reader.Sizes.Count > 8, $"only {reader.Sizes.Count} requests of reads");
        // Past the first (which carries the reserve reads), a round is under the budget plus one account's reads.
        Assert.All(reader.Sizes.Skip(1), size => Assert.True(size < budget + 2_000, $"a round of {size} characters"));
        Assert.True(reader.Sizes.Skip(1).SkipLast(4).Count(size => size >= budget) >= 4, $"rounds {string.Join(", ", reader.Sizes)}: none filled its body");
        Assert.Equal(whole.Market.Reserves, rounds.Market.Reserves);
        Assert.Equal(whole.Accounts.Count, rounds.Accounts.Count);
        for (var i = 0; i < whole.Accounts.Count; i++)
        {
            Assert.Equal(whole.Accounts[i].Account, rounds.Accounts[i].Account);
            Assert.Equal(whole.Accounts[i].EModeCategory, rounds.Accounts[i].EModeCategory);
            Assert.Equal(whole.Accounts[i].Reserves, rounds.Accounts[i].Reserves);
        }
    }

    [Fact]
    public void Zero_accounts_per_round_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AaveV3Adapter(accountsPerRound: 0));

    /// <summary>Reads at the fixture's block with the given discovered accounts.</summary>
    private sealed class PinnedBlockReader(EthRpc rpc, IReadOnlyList<DiscoveredAccount> accounts, long block, long timestamp) : IBlockReader
    {
        public long ChainId => 31337;
        public long Block => block;
        public long Timestamp => timestamp;
        /// <summary>Each executed round's packed request body, in order.</summary>
        public List<long> Sizes { get; } = [];

        public Task ExecuteAsync(ReadBatch batch, CancellationToken ct)
        {
            Sizes.Add(batch.PackedChars);
            return batch.ExecuteAsync(rpc, Block, ct);
        }
        public IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol) => accounts;
        public void Report(string stage, long done, long total, string? detail = null) { }
        public void Warn(IndexWarning warning) { }
    }
}
