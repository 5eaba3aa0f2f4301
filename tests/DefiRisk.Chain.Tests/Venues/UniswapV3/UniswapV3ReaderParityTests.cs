using System.Numerics;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV3;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Tests.Venues.UniswapV3;

/// <summary>The indexer's read of real Uniswap v3 pools at a pinned block is the model state, and swapping from what was
/// read matches the chain.</summary>
[Collection(UniswapV3ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class UniswapV3ReaderParityTests(UniswapV3Chain chain)
{
    private static readonly RpcOptions TestRpc = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task UniswapV3_read_of_every_pool_equals_the_model_state_built_from_its_positions()
    {
        await chain.ResetAsync();
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var read = await UniswapV3Reader.ReadAsync(rpc, chain.Pools.Select(p => Address.Parse(p.Pool)).ToList(), chain.SetupBlock, wordRadius: null, CancellationToken.None);
        for (var i = 0; i < chain.Pools.Count; i++)
        {
            var (fee, _, pool, model) = chain.Pools[i];
            Assert.Equal(Address.Parse(pool), read[i].Address);
            Assert.Equal((Address.Parse(chain.Uniswap.Token0), Address.Parse(chain.Uniswap.Token1)), (read[i].Token0, read[i].Token1));
            Assert.Equal(model, read[i].State);
            // The tick where two ranges meet and the nets cancel is still initialized, and read.
            Assert.Contains(read[i].State.Ticks, t => t.LiquidityNet.IsZero);
            Assert.Equal(fee, read[i].State.Fee);
        }
    }

    [Fact]
    public async Task UniswapV3_swaps_from_the_read_state_match_the_chain_and_the_old_block_still_reads_the_old_state()
    {
        await chain.ResetAsync();
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var (_, spacing, pool, _) = chain.Pools[2];
        var address = Address.Parse(pool);
        var before = (await UniswapV3Reader.ReadAsync(rpc, address, chain.SetupBlock, null, CancellationToken.None)).State;

        var expected = UniswapV3Swap.Swap(before, zeroForOne: true, BigInteger.Pow(10, 30), TickMath.GetSqrtRatioAtTick(-200 * spacing));
        Assert.True(expected.InitializedTicksCrossed >= 3);
        var onChain = await chain.Uniswap.SwapAsync(pool, zeroForOne: true, BigInteger.Pow(10, 30), TickMath.GetSqrtRatioAtTick(-200 * spacing));
        Assert.Equal((expected.Amount0, expected.Amount1), (onChain.Amount0, onChain.Amount1));

        // Post-swap slot0 and liquidity, read at the swap's block, are the model's; the setup block still reads as before.
        var after = (await UniswapV3Reader.ReadAsync(rpc, address, onChain.Block, null, CancellationToken.None)).State;
        Assert.Equal(expected.After, after);
        Assert.Equal(before, (await UniswapV3Reader.ReadAsync(rpc, address, chain.SetupBlock, null, CancellationToken.None)).State);

        // And on from there, the other way, exact output.
        var next = UniswapV3Swap.Swap(after, zeroForOne: false, -BigInteger.Pow(10, 21), UniswapV3Swap.NoLimit(false));
        var nextOnChain = await chain.Uniswap.SwapAsync(pool, zeroForOne: false, -BigInteger.Pow(10, 21), UniswapV3Swap.NoLimit(false));
        Assert.Equal((next.Amount0, next.Amount1), (nextOnChain.Amount0, nextOnChain.Amount1));
        Assert.Equal(next.After, (await UniswapV3Reader.ReadAsync(rpc, address, nextOnChain.Block, null, CancellationToken.None)).State);
    }

    [Fact]
    public async Task UniswapV3_read_of_an_address_that_is_not_a_pool_is_a_chain_error_naming_the_call_and_the_block()
    {
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var ex = await Assert.ThrowsAsync<DefiRisk.Core.DefiRiskException>(() =>
            UniswapV3Reader.ReadAsync(rpc, Address.Parse(chain.Uniswap.Token0), chain.SetupBlock, null, CancellationToken.None));
        Assert.Equal(DefiRisk.Core.ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains($"slot0 on {chain.Uniswap.Token0}", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"block {chain.SetupBlock}", ex.Message);
    }

    [Fact]
    public async Task UniswapV3_factory_getPool_finds_each_fee_tier_s_pool_and_none_for_a_tier_without_one()
    {
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        var (t0, t1) = (Address.Parse(chain.Uniswap.Token0), Address.Parse(chain.Uniswap.Token1));
        var keys = chain.Pools.Select(p => (t1, t0, p.Fee)).Append((t0, t1, 2500)).ToList();
        var found = await UniswapV3Reader.FindPoolsAsync(rpc, Address.Parse(chain.Uniswap.Factory), keys, chain.SetupBlock, CancellationToken.None);
        Assert.Equal(chain.Pools.Select(p => (Address?)Address.Parse(p.Pool)).Append(null), found);
    }

    [Fact]
    public async Task UniswapV3_read_of_a_few_words_keeps_only_their_ticks_and_says_which_words_it_read()
    {
        await chain.ResetAsync();
        using var rpc = new EthRpc(chain.Node.RpcUrl, TestRpc);
        // Spacing 1: one word is 256 ticks, so ±1 word around tick 0 (word 0) covers ticks −256…511: the wide range's
        // upper end (300) is in, its lower end (−300) and the deep range (−700…−500) are out.
        var (_, _, pool, model) = chain.Pools[0];
        var read = (await UniswapV3Reader.ReadAsync(rpc, Address.Parse(pool), chain.SetupBlock, wordRadius: 1, CancellationToken.None)).State;
        Assert.Equal(new UniswapV3BitmapWords(-1, 1), read.KnownWords);
        Assert.Equal(model.Ticks.Where(t => t.Index >= -256 && t.Index <= 511), read.Ticks);
        Assert.Contains(read.Ticks, t => t.Index == 300);
        // A sale that would reach the unread words stops at their edge and says so; within them it equals the whole read.
        var partial = UniswapV3Swap.SwapExactInput(read, zeroForOne: true, BigInteger.Pow(10, 30));
        Assert.True(partial.StoppedAtKnownEdge);
        Assert.Equal(TickMath.GetSqrtRatioAtTick(-256), partial.After.SqrtPriceX96);
        var small = BigInteger.Pow(10, 19);
        var within = UniswapV3Swap.SwapExactInput(read, true, small);
        Assert.False(within.StoppedAtKnownEdge);
        Assert.Equal(UniswapV3Swap.SwapExactInput(model, true, small).Amount1, within.Amount1);
    }
}
