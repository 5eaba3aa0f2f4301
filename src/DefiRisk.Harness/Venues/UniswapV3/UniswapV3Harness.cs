using System.Numerics;
using System.Text.Json;
using DefiRisk.Core;

namespace DefiRisk.Harness.Venues.UniswapV3;

/// <summary>A swap as the pool reported it in its <c>Swap</c> event: the signed deltas and the pool after it.</summary>
public sealed record UniswapV3ChainSwap(BigInteger Amount0, BigInteger Amount1, BigInteger SqrtPriceX96, BigInteger Liquidity, int Tick, long Block, long GasUsed);

/// <summary>
/// Real Uniswap v3 on an anvil node: the unmodified <c>@uniswap/v3-core@1.0.1</c> factory and pools (fee 100 enabled as
/// mainnet's governance did), two 18-decimal test tokens (Aave's MintableERC20 mock), and <see cref="Callee"/>, our
/// plumbing contract that mints and swaps with exact arguments and pays the pool from account 0
/// (<c>fixtures/contracts/plumbing/UniswapV3Callee.sol</c>, compiled with the npm solc). Expects automine.
/// </summary>
public sealed class UniswapV3Harness
{
    public static readonly string Admin = AnvilNode.DefaultAccounts[0];
    /// <summary>Fee tiers (pips) and their tick spacings on mainnet: 500/10, 3000/60, 10000/200 from the factory, 100/1 enabled later.</summary>
    public static IReadOnlyList<(int Fee, int TickSpacing)> FeeTiers => UniswapV3Plumbing.FeeTiers;

    private readonly AnvilNode _node;

    private UniswapV3Harness(AnvilNode node, string factory, string token0, string token1, string callee)
    {
        _node = node;
        Factory = factory;
        Token0 = token0;
        Token1 = token1;
        Callee = callee;
    }

    public string Factory { get; }
    /// <summary>The numerically lower token address: the pools' token0.</summary>
    public string Token0 { get; }
    public string Token1 { get; }
    public string Callee { get; }

    /// <summary>Deploys tokens, the factory and the callee; mints 10^30 of each token to account 0 and approves the callee.</summary>
    public static async Task<UniswapV3Harness> DeployAsync(AnvilNode node, NodeModules nodeModules, CancellationToken ct = default)
    {
        var erc20 = ContractArtifact.Aave(nodeModules, "contracts/mocks/tokens/MintableERC20.sol", "MintableERC20");
        var a = await DeployAsync(node, Abi.Deploy(erc20.Bytecode, "(string,string,uint8)", "Token A", "TKA", (byte)18)).ConfigureAwait(false);
        var b = await DeployAsync(node, Abi.Deploy(erc20.Bytecode, "(string,string,uint8)", "Token B", "TKB", (byte)18)).ConfigureAwait(false);
        var (token0, token1) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
        var factory = await DeployAsync(node, "0x" + ContractArtifact.UniswapV3(nodeModules, "UniswapV3Factory").Bytecode).ConfigureAwait(false);
        await SendAsync(node, factory, Abi.Call("enableFeeAmount(uint24,int24)", new BigInteger(100), new BigInteger(1)), "enableFeeAmount(100, 1)").ConfigureAwait(false);
        var callee = await DeployAsync(node, "0x" + await CompileCalleeAsync(nodeModules, ct).ConfigureAwait(false)).ConfigureAwait(false);
        var supply = BigInteger.Pow(10, 30);
        foreach (var token in new[] { token0, token1 })
        {
            await SendAsync(node, token, Abi.Call("mint(address,uint256)", Admin, supply), "mint").ConfigureAwait(false);
            await SendAsync(node, token, Abi.Call("approve(address,uint256)", callee, supply), "approve").ConfigureAwait(false);
        }
        return new UniswapV3Harness(node, factory, token0, token1, callee);
    }

    /// <summary><c>factory.createPool(token0, token1, fee)</c> then <c>pool.initialize(sqrtPriceX96)</c>; the pool's address.</summary>
    public async Task<string> CreatePoolAsync(int fee, BigInteger sqrtPriceX96)
    {
        await SendAsync(_node, Factory, Abi.Call("createPool(address,address,uint24)", Token0, Token1, new BigInteger(fee)), $"createPool fee {fee}", gas: 8_000_000).ConfigureAwait(false);
        var pool = Abi.AddressAt(await CallAsync(Factory, Abi.Call("getPool(address,address,uint24)", Token0, Token1, new BigInteger(fee))).ConfigureAwait(false), 0);
        await SendAsync(_node, pool, Abi.Call("initialize(uint160)", sqrtPriceX96), $"initialize fee {fee}").ConfigureAwait(false);
        return pool;
    }

    /// <summary><c>pool.mint</c> of exactly <paramref name="liquidity"/> over [tickLower, tickUpper), through the callee.</summary>
    public Task MintAsync(string pool, int tickLower, int tickUpper, BigInteger liquidity) =>
        SendAsync(_node, Callee, Abi.Call("mint(address,address,int24,int24,uint128)", pool, Admin, new BigInteger(tickLower), new BigInteger(tickUpper), liquidity),
            $"mint [{tickLower}, {tickUpper}) {liquidity}");

    /// <summary><c>pool.swap</c> through the callee (amountSpecified &gt; 0 exact input, &lt; 0 exact output); the pool's Swap event.</summary>
    public async Task<UniswapV3ChainSwap> SwapAsync(string pool, bool zeroForOne, BigInteger amountSpecified, BigInteger sqrtPriceLimitX96)
    {
        var receipt = await SendAsync(_node, Callee, Abi.Call("swap(address,address,bool,int256,uint160)", pool, Admin, zeroForOne, amountSpecified, sqrtPriceLimitX96),
            $"swap {(zeroForOne ? "0→1" : "1→0")} {amountSpecified}", gas: 25_000_000).ConfigureAwait(false);
        var swapTopic = "0x" + Nethereum.Util.Sha3Keccack.Current.CalculateHash("Swap(address,address,int256,int256,uint160,uint128,int24)");
        foreach (var log in receipt.GetProperty("logs").EnumerateArray())
        {
            if (!string.Equals(log.GetProperty("address").GetString(), pool, StringComparison.OrdinalIgnoreCase)) continue;
            if (log.GetProperty("topics")[0].GetString() != swapTopic) continue;
            var data = log.GetProperty("data").GetString()!;
            return new UniswapV3ChainSwap(Abi.IntAt(data, 0), Abi.IntAt(data, 1), Abi.UIntAt(data, 2), Abi.UIntAt(data, 3), (int)Abi.IntAt(data, 4),
                (long)AnvilRpc.Quantity(receipt.GetProperty("blockNumber")), (long)AnvilRpc.Quantity(receipt.GetProperty("gasUsed")));
        }
        throw new InvalidOperationException($"swap on {pool}: no Swap event in the receipt");
    }

    private Task<string> CallAsync(string to, string data) => CallAsync(_node, to, data);

    private static async Task<string> CallAsync(AnvilNode node, string to, string data) =>
        (await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest").ConfigureAwait(false)).GetString()!;

    private static async Task<string> DeployAsync(AnvilNode node, string creationData)
    {
        var receipt = await SendAsync(node, null, creationData, "deploy", gas: 10_000_000).ConfigureAwait(false);
        return receipt.GetProperty("contractAddress").GetString()!;
    }

    /// <summary>Sends from account 0 and waits for the receipt; a revert fails with the reason replayed through eth_call.</summary>
    private static async Task<JsonElement> SendAsync(AnvilNode node, string? to, string data, string label, long gas = 3_000_000)
    {
        var request = new Dictionary<string, object> { ["from"] = Admin, ["data"] = data, ["gas"] = AnvilRpc.Hex(gas) };
        if (to is not null) request["to"] = to;
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
        for (var attempt = 0; ; attempt++)
        {
            var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
            if (receipt.ValueKind != JsonValueKind.Null)
            {
                if (AnvilRpc.Quantity(receipt.GetProperty("status")) == 1) return receipt;
                string reason;
                try { await node.Rpc.CallAsync("eth_call", request, "latest").ConfigureAwait(false); reason = "reverted"; }
                catch (DefiRiskException ex) { reason = ex.Message; }
                throw new InvalidOperationException($"Uniswap v3 harness: '{label}' failed: {reason}");
            }
            if (attempt > 200) throw new InvalidOperationException($"Uniswap v3 harness: '{label}' was not mined (automine off?)");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>The plumbing callee's bytecode (<see cref="UniswapV3Plumbing.CompileCalleeAsync"/>).</summary>
    internal static Task<string> CompileCalleeAsync(NodeModules nodeModules, CancellationToken ct) => UniswapV3Plumbing.CompileCalleeAsync(nodeModules, ct);
}
