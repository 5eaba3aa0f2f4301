using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Venues.UniswapV3;
using Nethereum.Util;

namespace DefiRisk.Harness.Venues.UniswapV3;

/// <summary>A v3 pool as <c>slot0()</c> and <c>liquidity()</c> read it.</summary>
public sealed record UniswapV3ChainPrice(string Pool, BigInteger SqrtPriceX96, int Tick, BigInteger Liquidity);

/// <summary>
/// The fixture liquidator on Uniswap v3: sells through the fixture's v3 pools (and v2 pairs on the same path) with
/// <c>pool.swap</c> called through the plumbing callee, paid by the liquidator in the callback, and performs the
/// arbitrage swap that moves a pool to a price. Every call is the pool's own code: the callee only forwards and pays.
/// </summary>
public sealed class FixtureUniswapV3Trader(FixtureLiquidator liquidator)
{
    private const long SwapGas = 25_000_000;
    private static readonly BigInteger Max = (BigInteger.One << 256) - 1;
    private static readonly string SwapTopic = "0x" + Sha3Keccack.Current.CalculateHash("Swap(address,address,int256,int256,uint160,uint128,int24)");
    private readonly Dictionary<string, string> _token0 = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pools = new((liquidator.Facts.UniswapV3Pools ?? new Dictionary<string, string>()).Values, StringComparer.OrdinalIgnoreCase);

    private string Callee => liquidator.Facts.UniswapV3Callee ?? throw new Core.DefiRiskException("the fixture has no Uniswap v3 callee (built without --uniswap-v3 pools)");

    /// <summary>True for a v3 pool of the fixture (anything else on a sale path is a v2 pair).</summary>
    public bool IsV3Pool(string address) => _pools.Contains(address);

    /// <summary>The liquidator approves the callee for every fixture token (the callee pulls the input in the swap callback).</summary>
    public async Task ApproveAsync()
    {
        foreach (var token in liquidator.Facts.Tokens.Values)
            await liquidator.SendAsync(token.Address, Abi.Call("approve(address,uint256)", Callee, Max), "approve v3 callee").ConfigureAwait(false);
    }

    public async Task<UniswapV3ChainPrice> PriceAsync(string pool)
    {
        var slot0 = await CallAsync(pool, Abi.Call("slot0()")).ConfigureAwait(false);
        var liquidity = Abi.UIntAt(await CallAsync(pool, Abi.Call("liquidity()")).ConfigureAwait(false), 0);
        return new UniswapV3ChainPrice(pool, Abi.UIntAt(slot0, 0), (int)Abi.IntAt(slot0, 1), liquidity);
    }

    /// <summary>
    /// Sells <paramref name="amountIn"/> of <paramref name="tokenIn"/> along <paramref name="pools"/>, hop by hop to the
    /// liquidator: a v3 pool by an exact-input swap with no price limit (MIN/MAX_SQRT_RATIO ± 1), a v2 pair by
    /// <see cref="FixtureLiquidator.SwapAsync"/>. Returns the last hop's output and, per v3 hop, the pool before it and its Swap event.
    /// </summary>
    public async Task<(BigInteger Proceeds, IReadOnlyList<(UniswapV3ChainPrice Before, UniswapV3ChainSwap Swap)> V3Swaps)> SellAsync(IReadOnlyList<string> pools, string tokenIn, BigInteger amountIn)
    {
        var swaps = new List<(UniswapV3ChainPrice, UniswapV3ChainSwap)>();
        var token = tokenIn;
        var amount = amountIn;
        foreach (var pool in pools)
        {
            if (!IsV3Pool(pool))
            {
                var r = await liquidator.GetReservesAsync(pool).ConfigureAwait(false);
                var next = string.Equals(r.Token0, token, StringComparison.OrdinalIgnoreCase) ? r.Token1 : r.Token0;
                amount = await liquidator.SwapAsync([pool], token, amount).ConfigureAwait(false);
                token = next;
                continue;
            }
            var token0 = await Token0Async(pool).ConfigureAwait(false);
            var zeroForOne = string.Equals(token0, token, StringComparison.OrdinalIgnoreCase);
            var token1 = Abi.AddressAt(await CallAsync(pool, Abi.Call("token1()")).ConfigureAwait(false), 0);
            var price = await PriceAsync(pool).ConfigureAwait(false);
            // A zero input, or a price already at the bound, would revert ('AS', 'SPL'): the model pays nothing there either.
            if (amount.IsZero || (zeroForOne ? price.SqrtPriceX96 <= UniswapV3Swap.NoLimit(true) : price.SqrtPriceX96 >= UniswapV3Swap.NoLimit(false)))
            {
                amount = BigInteger.Zero;
                token = zeroForOne ? token1 : token0;
                continue;
            }
            var swap = await SwapAsync(pool, zeroForOne, amount, UniswapV3Swap.NoLimit(zeroForOne)).ConfigureAwait(false);
            swaps.Add((price, swap));
            amount = -(zeroForOne ? swap.Amount1 : swap.Amount0);
            token = zeroForOne ? token1 : token0;
        }
        return (amount, swaps);
    }

    /// <summary>The arbitrage step: an exact input of type(int256).max limited at <paramref name="sqrtPriceX96"/>, so the pool
    /// takes what moving there costs (<see cref="UniswapV3Swap.SwapToPrice"/>). No swap when the pool is already there.</summary>
    public async Task<UniswapV3ChainSwap?> MoveToPriceAsync(string pool, BigInteger sqrtPriceX96)
    {
        var now = await PriceAsync(pool).ConfigureAwait(false);
        if (now.SqrtPriceX96 == sqrtPriceX96) return null;
        return await SwapAsync(pool, sqrtPriceX96 < now.SqrtPriceX96, FullMath.MaxInt256, sqrtPriceX96).ConfigureAwait(false);
    }

    /// <summary><c>callee.swap(pool, liquidator, …)</c> from the liquidator; the pool's Swap event.</summary>
    public async Task<UniswapV3ChainSwap> SwapAsync(string pool, bool zeroForOne, BigInteger amountSpecified, BigInteger sqrtPriceLimitX96)
    {
        var receipt = await liquidator.SendAsync(Callee, Abi.Call("swap(address,address,bool,int256,uint160)", pool, liquidator.Liquidator, zeroForOne, amountSpecified, sqrtPriceLimitX96),
            $"v3 swap on {pool}", SwapGas).ConfigureAwait(false);
        foreach (var log in receipt.GetProperty("logs").EnumerateArray())
        {
            if (!string.Equals(log.GetProperty("address").GetString(), pool, StringComparison.OrdinalIgnoreCase)) continue;
            if (log.GetProperty("topics")[0].GetString() != SwapTopic) continue;
            var data = log.GetProperty("data").GetString()!;
            return new UniswapV3ChainSwap(Abi.IntAt(data, 0), Abi.IntAt(data, 1), Abi.UIntAt(data, 2), Abi.UIntAt(data, 3), (int)Abi.IntAt(data, 4),
                (long)AnvilRpc.Quantity(receipt.GetProperty("blockNumber")), (long)AnvilRpc.Quantity(receipt.GetProperty("gasUsed")));
        }
        throw new InvalidOperationException($"v3 swap on {pool}: no Swap event in the receipt");
    }

    private async Task<string> Token0Async(string pool)
    {
        if (!_token0.TryGetValue(pool, out var t))
            _token0[pool] = t = Abi.AddressAt(await CallAsync(pool, Abi.Call("token0()")).ConfigureAwait(false), 0);
        return t;
    }

    private async Task<string> CallAsync(string to, string data) =>
        (await liquidator.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest").ConfigureAwait(false)).GetString()!;
}
