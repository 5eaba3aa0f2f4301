using System.Numerics;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV3.ContractDefinition;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// Reads Uniswap v3 pools at one pinned block into the swap model's <see cref="UniswapV3PoolState"/>, in three batched
/// rounds: <c>slot0</c>, <c>liquidity</c>, <c>fee</c>, <c>tickSpacing</c>, <c>token0/1</c>; then the <c>tickBitmap</c>
/// words around the current tick; then <c>ticks(i)</c> for every set bit, keeping liquidityNet. The words read are
/// recorded in the state (<see cref="UniswapV3PoolState.KnownWords"/>), so a swap model never assumes an unread range is empty.
/// </summary>
public static class UniswapV3Reader
{
    /// <summary>
    /// Reads each pool at <paramref name="block"/>. <paramref name="wordRadius"/>: bitmap words to read on each side of the
    /// current tick's word (one word spans 256 tick spacings: ±2.6 % in price per word at spacing 1, ±95 % at spacing 60);
    /// null reads every word the pool's spacing can use (6,932 words at spacing 1, 116 at spacing 60).
    /// </summary>
    public static Task<IReadOnlyList<UniswapV3Pool>> ReadAsync(EthRpc rpc, IReadOnlyList<Address> pools, long block, int? wordRadius, CancellationToken ct) =>
        ReadAsync(batch => batch.ExecuteAsync(rpc, block, ct), pools, block, wordRadius);

    /// <summary>As above, each batched round run by <paramref name="execute"/> (the indexer's block reader).</summary>
    internal static async Task<IReadOnlyList<UniswapV3Pool>> ReadAsync(Func<ReadBatch, Task> execute, IReadOnlyList<Address> pools, long block, int? wordRadius)
    {
        if (wordRadius is < 0) throw new DefiRiskException($"Uniswap v3 word radius {wordRadius} is negative");
        var batch = new ReadBatch();
        var heads = pools.Select(p => (
            Slot0: batch.Add<Slot0Function, Slot0Output>(p.Value, new()),
            Liquidity: batch.Add<LiquidityFunction, Uint256Output>(p.Value, new()),
            Fee: batch.Add<FeeFunction, Uint256Output>(p.Value, new()),
            Spacing: batch.Add<TickSpacingFunction, Int24Output>(p.Value, new()),
            Token0: batch.Add<PoolToken0Function, AddressOutput>(p.Value, new()),
            Token1: batch.Add<PoolToken1Function, AddressOutput>(p.Value, new()))).ToList();
        await execute(batch);

        var words = new List<(UniswapV3BitmapWords Range, List<Reply<Uint256Output>> Bitmaps)>();
        for (var i = 0; i < pools.Count; i++)
        {
            var h = heads[i];
            var tick = (int)h.Slot0.Value.Tick; // first, so that a non-pool fails on slot0
            var spacing = (int)h.Spacing.Value.Value;
            if (spacing <= 0) throw new DefiRiskException($"Uniswap v3 pool {pools[i]}: tickSpacing {spacing} at block {block} is not positive", ExitCodes.ChainError);
            var all = UniswapV3BitmapWords.All(spacing);
            var range = all;
            if (wordRadius is { } r)
            {
                var current = UniswapV3BitmapWords.WordOf(UniswapV3BitmapWords.Compress(tick, spacing));
                range = new UniswapV3BitmapWords(Math.Max(all.First, current - r), Math.Min(all.Last, current + r));
            }
            var replies = new List<Reply<Uint256Output>>();
            for (var w = range.First; w <= range.Last; w++)
                replies.Add(batch.Add<TickBitmapFunction, Uint256Output>(pools[i].Value, new() { WordPosition = w }));
            words.Add((range, replies));
        }
        await execute(batch);

        var tickReads = new List<List<(int Tick, Reply<TicksOutput> Reply)>>();
        for (var i = 0; i < pools.Count; i++)
        {
            var spacing = (int)heads[i].Spacing.Value.Value;
            var reads = new List<(int, Reply<TicksOutput>)>();
            var (range, bitmaps) = words[i];
            for (var k = 0; k < bitmaps.Count; k++)
            {
                var bits = bitmaps[k].Value.Value;
                for (var bit = 0; !bits.IsZero; bit++, bits >>= 1)
                {
                    if (bits.IsEven) continue;
                    var tick = (((range.First + k) << 8) + bit) * spacing;
                    reads.Add((tick, batch.Add<TicksFunction, TicksOutput>(pools[i].Value, new() { Tick = tick })));
                }
            }
            tickReads.Add(reads);
        }
        await execute(batch);

        var result = new List<UniswapV3Pool>(pools.Count);
        for (var i = 0; i < pools.Count; i++)
        {
            var h = heads[i];
            var ticks = new List<UniswapV3Tick>(tickReads[i].Count);
            foreach (var (tick, reply) in tickReads[i])
            {
                // A set bit with an uninitialized tick would mean the bitmap and the ticks disagree: not a pool we can model.
                if (!reply.Value.Initialized)
                    throw new DefiRiskException($"Uniswap v3 pool {pools[i]}: bitmap bit set for tick {tick} but ticks({tick}) is not initialized at block {block}", ExitCodes.ChainError);
                ticks.Add(new UniswapV3Tick(tick, reply.Value.LiquidityNet));
            }
            var slot0 = h.Slot0.Value;
            if (slot0.SqrtPriceX96.IsZero)
                throw new DefiRiskException($"Uniswap v3 pool {pools[i]} is not initialized at block {block} (sqrtPriceX96 = 0)", ExitCodes.ChainError);
            var state = new UniswapV3PoolState(slot0.SqrtPriceX96, (int)slot0.Tick, h.Liquidity.Value.Value, (int)h.Fee.Value.Value, (int)h.Spacing.Value.Value, ticks, words[i].Range);
            result.Add(new UniswapV3Pool(pools[i], Address.Parse(h.Token0.Value.Value), Address.Parse(h.Token1.Value.Value), state));
        }
        return result;
    }

    /// <summary>One pool; see the list overload.</summary>
    public static async Task<UniswapV3Pool> ReadAsync(EthRpc rpc, Address pool, long block, int? wordRadius, CancellationToken ct) =>
        (await ReadAsync(rpc, [pool], block, wordRadius, ct))[0];

    /// <summary><c>factory.getPool</c> for each (tokenA, tokenB, fee); null where the factory has no pool.</summary>
    public static async Task<IReadOnlyList<Address?>> FindPoolsAsync(EthRpc rpc, Address factory, IReadOnlyList<(Address TokenA, Address TokenB, int Fee)> keys, long block, CancellationToken ct)
    {
        var batch = new ReadBatch();
        var replies = keys.Select(k => batch.Add<GetPoolFunction, AddressOutput>(factory.Value,
            new() { TokenA = k.TokenA.Value, TokenB = k.TokenB.Value, Fee = new BigInteger(k.Fee) })).ToList();
        await batch.ExecuteAsync(rpc, block, ct);
        return replies.Select(r => Address.Parse(r.Value.Value) is var a && a.IsZero ? (Address?)null : a).ToList();
    }
}
