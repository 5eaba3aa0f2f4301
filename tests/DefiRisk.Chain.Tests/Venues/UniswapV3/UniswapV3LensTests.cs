using System.Text.Json.Nodes;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV3;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Venues.UniswapV3;

/// <summary>
/// The Uniswap v3 lens (a whole pool in one eth_call through a state override): the bytecode we ship is the source's, what
/// it reads equals the plain rounds' read for every fee tier (spacing 1's 6,932 bitmap words included) in one request, and
/// where it cannot answer (not a pool, overrides not used) it answers nothing the indexer would take for a pool.
/// </summary>
[Collection(UniswapV3ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class UniswapV3LensTests(UniswapV3Chain chain)
{
    private static readonly RpcOptions TestRpc = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task The_shipped_uniswap_v3_lens_bytecode_is_what_solc_0_8_19_makes_of_the_committed_source()
    {
        var root = NodeModules.Locate().RepositoryRoot;
        var source = await File.ReadAllTextAsync(Path.Combine(root, "src", "DefiRisk.Chain", "Venues", "UniswapV3", "UniswapV3Lens.sol"));
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { ["UniswapV3Lens.sol"] = new JsonObject { ["content"] = source } },
            ["settings"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = "paris",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = new JsonObject { ["UniswapV3Lens.sol"] = new JsonObject { ["UniswapV3Lens"] = new JsonArray("evm.deployedBytecode.object") } },
            },
        };
        var (output, _) = await SolidityCompiler.CompileCachedAsync(NodeModules.Locate().Solcjs, "0.8.19", input,
            Path.Combine(root, ".defirisk-cache"), CancellationToken.None);
        var compiled = output["contracts"]!["UniswapV3Lens.sol"]!["UniswapV3Lens"]!["evm"]!["deployedBytecode"]!["object"]!.GetValue<string>();
        Assert.Equal("0x" + compiled, UniswapV3Lens.RuntimeCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public async Task UniswapV3_lens_reads_every_fee_tier_s_pool_as_the_plain_rounds_do_in_one_request(int? wordRadius)
    {
        await chain.ResetAsync();
        var pools = chain.Pools.Select(p => Address.Parse(p.Pool)).ToList();
        using var plain = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var expected = await UniswapV3Reader.ReadAsync(plain, pools, chain.SetupBlock, wordRadius, CancellationToken.None);

        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var answers = await rpc.CallAsync(pools.Select(p => UniswapV3Lens.Call(p, wordRadius)).ToList(), chain.SetupBlock, CancellationToken.None);
        var read = pools.Select((p, i) => UniswapV3Lens.Decode(p, answers[i], wordRadius)).ToList();

        Assert.Equal(1L, rpc.Stats.HttpRequests);
        Assert.True(plain.Stats.HttpRequests >= 3, $"the plain rounds took {plain.Stats.HttpRequests} requests");
        Assert.Contains(chain.Pools, p => p.Spacing == 1);
        Assert.Equal<UniswapV3Pool?>(expected, read);
        Assert.All(read, p => Assert.NotEmpty(p!.State.Ticks));
    }

    [Fact]
    public async Task UniswapV3_lens_answers_nothing_taken_for_a_pool_at_an_address_that_is_not_one_or_where_overrides_are_not_used()
    {
        var pool = Address.Parse(chain.Pools[0].Pool);
        var token = Address.Parse(chain.Uniswap.Token0);
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var answers = await rpc.CallAsync([UniswapV3Lens.Call(token, null), UniswapV3Lens.Call(pool, null)], chain.SetupBlock, CancellationToken.None);
        Assert.False(answers[0].HasData);
        Assert.Null(UniswapV3Lens.Decode(token, answers[0], null));
        Assert.NotNull(UniswapV3Lens.Decode(pool, answers[1], null));

        // One call per read: no state override is sent, so the lens call is not made and answers empty.
        using var oneByOne = new EthRpc(chain.Node.RpcUrl, TestRpc with { CallsPerRead = 1 });
        var unsent = await oneByOne.CallAsync([UniswapV3Lens.Call(pool, null)], chain.SetupBlock, CancellationToken.None);
        Assert.Equal(0L, oneByOne.Stats.HttpRequests);
        Assert.Null(UniswapV3Lens.Decode(pool, unsent[0], null));
    }
}
