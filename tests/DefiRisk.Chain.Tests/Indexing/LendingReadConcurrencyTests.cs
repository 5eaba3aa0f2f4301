using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// Lending families read at once (the node answers their requests on separate cores) while "the first family in registry
/// order prices an asset" stays exact: a family may send its rounds while an earlier one reads, but sees the asset table only
/// once the earlier ones are done; the first failure ends the others and is the one reported.
/// </summary>
[Collection(DemoChainCollection.Name)]
public sealed class LendingReadConcurrencyTests(DemoChain chain)
{
    private static readonly Asset Token = new(Address.Parse("0x00000000000000000000000000000000000000a1"), "TKN", 18, 100_000_000, AssetOracle.MarketFeed(Address.Zero));

    [Fact]
    public async Task A_later_family_sends_its_first_round_while_an_earlier_one_is_still_reading_and_then_sees_what_the_earlier_one_added()
    {
        var held = new HeldFamily();
        var probe = new ProbeFamily(fail: false);
        var index = IndexAsync([held, probe]);

        // Sequential reads would send the probe's round only after the held family returned: this wait would time out.
        var sent = await Task.WhenAny(probe.RoundSent.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(probe.RoundSent.Task, sent);
        Assert.False(held.Returned);
        Assert.False(probe.SawTable.Task.IsCompleted); // it waits for the held family before it looks at the assets

        held.Release.SetResult();
        var result = await index;
        Assert.True(await probe.SawTable.Task, "the later family must see the asset the earlier one added");
        Assert.Contains(result.Snapshot.Assets, a => a.Address == Token.Address);
    }

    [Fact]
    public async Task A_later_familys_failure_ends_the_earlier_ones_read_and_is_the_error_reported_not_the_cancellation()
    {
        var held = new HeldFamily();
        var index = IndexAsync([held, new ProbeFamily(fail: true)]);
        var done = await Task.WhenAny(index, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(index, done); // the held family never gets its release: only the cancellation ends it
        var error = await Assert.ThrowsAsync<DefiRiskException>(() => index);
        Assert.Equal("probe family failed after its first round", error.Message);
        Assert.True(held.Cancelled);
    }

    [Fact]
    public async Task An_asset_table_view_touched_before_the_earlier_families_are_done_throws_and_one_after_a_failure_rethrows_it()
    {
        var earlier = new TaskCompletionSource();
        var view = new AssetTable().After(earlier.Task);
        Assert.Throws<InvalidOperationException>(() => view.Contains(Token.Address));
        Assert.Throws<InvalidOperationException>(() => view.TryAdd(Token));
        earlier.SetException(new DefiRiskException("earlier family failed"));
        var error = await Assert.ThrowsAsync<DefiRiskException>(view.EarlierFamiliesReadAsync);
        Assert.Equal("earlier family failed", error.Message);

        var settled = new AssetTable().After(Task.CompletedTask);
        Assert.True(settled.TryAdd(Token));
        Assert.True(settled.Contains(Token.Address));
    }

    private async Task<IndexResult> IndexAsync(IReadOnlyList<ILendingAdapter> lending)
    {
        using var rpc = new EthRpc(chain.Server.RpcUrl, DemoChain.TestRpc);
        var manifest = DeploymentManifest.Load(chain.ManifestPath);
        return await new Indexer(rpc, new MemoryDiscoveryStore(), lending: lending, venues: []).IndexAsync(manifest, chain.ManifestPath, null, default);
    }

    private sealed record Section(string Key) : IDeploymentSection
    {
        public JsonNode ToJson() => new JsonObject();
    }

    private sealed record EmptyBook(string Protocol) : IProtocolBook
    {
        public int PositionCount => 0;

        public IEnumerable<(Address Asset, string Role)> AssetReferences() => [];
    }

    private abstract class Family(string key) : LendingAdapter<Section>
    {
        public override string Key => key;

        public override Section Parse(JsonNode section, string source) => new(key);

        public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(Section section) => [];

        protected static Task ReadOneRoundAsync(IBlockReader reader, CancellationToken ct)
        {
            var batch = new ReadBatch();
            batch.AddCall(new EthCall("0x00000000000000000000000000000000000000b2", "0x"), _ => { });
            return reader.ExecuteAsync(batch, ct);
        }
    }

    /// <summary>First in registry order: one round, then holds until released (or cancelled), then adds <see cref="Token"/>.</summary>
    private sealed class HeldFamily() : Family("held-family")
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool Returned, Cancelled;

        public override async Task<LendingRead> ReadAsync(Section? section, AssetTable assets, IBlockReader reader, CancellationToken ct)
        {
            await ReadOneRoundAsync(reader, ct);
            try
            {
                await Release.Task.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }
            await assets.EarlierFamiliesReadAsync();
            assets.TryAdd(Token);
            Returned = true;
            return new LendingRead(new EmptyBook("held-family"), 0);
        }
    }

    /// <summary>Second: one round (signalled), then fails, or waits for the earlier family and looks for its asset.</summary>
    private sealed class ProbeFamily(bool fail) : Family("probe-family")
    {
        public TaskCompletionSource RoundSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> SawTable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<LendingRead> ReadAsync(Section? section, AssetTable assets, IBlockReader reader, CancellationToken ct)
        {
            await ReadOneRoundAsync(reader, ct);
            RoundSent.SetResult();
            if (fail) throw new DefiRiskException("probe family failed after its first round");
            await assets.EarlierFamiliesReadAsync();
            SawTable.SetResult(assets.Contains(Token.Address));
            return new LendingRead(new EmptyBook("probe-family"), 0);
        }
    }
}
