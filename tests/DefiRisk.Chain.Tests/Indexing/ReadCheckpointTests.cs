using DefiRisk.Core;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// The checkpointed read phase (issue 13, item 4): an index whose node fails for good halfway through the read phase keeps
/// the requests it completed, writes no snapshot, and its re-run reads only what was left and writes the clean snapshot.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ReadCheckpointTests(DemoChain chain)
{
    [Fact]
    public async Task An_index_that_fails_mid_read_resumes_reading_only_what_was_left_and_writes_the_clean_snapshot()
    {
        // Small requests (10 lens calls of 20 reads each) so the read phase spans many of them.
        var options = DemoChain.TestRpc with { CallsPerRead = 20, BatchSize = 10, MaxAttempts = 2 };
        await using var counting = new FaultProxy(chain.Server.RpcUrl, _ => Fault.None);
        var clean = await chain.IndexAsync(chain.NewDatabase(), rpcUrl: counting.Url, options: options);
        var (total, readRequests) = (counting.Requests, (int)clean.Read!.HttpRequests);
        Assert.True(readRequests >= 8, $"the read phase took only {readRequests} requests");

        // The node answers nothing (HTTP 500) from the middle of the read phase on.
        var failAt = total - readRequests + readRequests / 2;
        await using var failing = new FaultProxy(chain.Server.RpcUrl, n => n >= failAt ? Fault.ServerError : Fault.None);
        var db = chain.NewDatabase();
        var failure = await Assert.ThrowsAsync<DefiRiskException>(() => chain.IndexAsync(db, rpcUrl: failing.Url, options: options));
        Assert.Equal(ExitCodes.ChainError, failure.ExitCode);
        var store = new SnapshotStore(db);
        Assert.Empty(store.List()); // no half-written snapshot
        var (chainId, block) = (clean.Snapshot.Chain.ChainId, clean.Snapshot.Chain.BlockNumber);
        var kept = new ReadCheckpointStore(store).Count(chainId, block);
        Assert.True(kept > 0, "no completed read request was kept");

        var resumed = await chain.IndexAsync(db, options: options);
        var read = resumed.Read!;
        Assert.True(read.CheckpointedCalls > 0, "the re-run took nothing from the checkpoint");
        Assert.True(read.EthCalls < clean.Read.EthCalls, $"the re-run read {read.EthCalls} eth_calls, a clean read {clean.Read.EthCalls}");
        Assert.Equal(clean.Read.EthCalls, read.EthCalls + read.CheckpointedCalls); // only what was left, nothing twice
        Assert.Equal(SnapshotText.Canonical(chain.Stored), SnapshotText.Canonical(store.Load()));
        Assert.Equal(0, new ReadCheckpointStore(store).Count(chainId, block)); // cleared with the snapshot's write
    }
}
