using System.Numerics;
using System.Text.Json;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;
using DefiRisk.Core.Venues.UniswapV2;
using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>What <c>Pool.liquidationCall</c> did, read off its receipt (base units): the <c>LiquidationCall</c> event's
/// <c>debtToCover</c> and <c>liquidatedCollateralAmount</c>, and the collateral aToken's <c>Transfer(user → treasury)</c>
/// (the protocol fee).</summary>
public sealed record AaveLiquidationOutcome(BigInteger DebtRepaid, BigInteger CollateralToLiquidator, BigInteger ProtocolFee);

/// <summary>What <c>Morpho.liquidate</c> did: its <c>Liquidate</c> event (base units / shares).</summary>
public sealed record MorphoLiquidationOutcome(BigInteger RepaidAssets, BigInteger RepaidShares, BigInteger SeizedAssets, BigInteger BadDebtAssets, BigInteger BadDebtShares);

/// <summary>One Uniswap v2 pair's <c>getReserves()</c> with its tokens (token0 = the lower address).</summary>
public sealed record PairReserves(string Pair, string Token0, string Token1, BigInteger Reserve0, BigInteger Reserve1);

/// <summary>
/// Plays liquidator on a served fixture through the real contracts: funds itself (MintableERC20 <c>mint</c>, approvals),
/// calls <c>Pool.liquidationCall</c> / <c>Morpho.liquidate</c>, sells through the real pairs (transfer + <c>swap</c>), and
/// sets what a replay must set: oracle answers (storage slot 0 of MockAggregator / OracleMock) and pair reserves.
/// Transactions go from <see cref="FixtureActors.Liquidator"/> (an unlocked anvil account) on an automining node, one
/// block each; <see cref="FreezeClockAsync"/> keeps every block at the fixture's timestamp so no interest accrues
/// between the snapshot and the calls (the analyser's snapshot is valued at that timestamp).
/// </summary>
public sealed class FixtureLiquidator(AnvilNode node, DeploymentManifest manifest, FixtureFacts facts)
{
    private const long Gas = 3_000_000;
    private static readonly BigInteger Max = (BigInteger.One << 256) - 1;
    private static readonly string TransferTopic = Topic("Transfer(address,address,uint256)");
    private static readonly string LiquidationCallTopic = Topic("LiquidationCall(address,address,address,uint256,uint256,address,bool)");
    private static readonly string MorphoLiquidateTopic = Topic("Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)");
    private const string MorphoLiquidateSignature = "liquidate((address,address,address,address,uint256),address,uint256,uint256,bytes)";

    private readonly Dictionary<string, string> _treasury = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string Token0, string Token1)> _pairTokens = new(StringComparer.OrdinalIgnoreCase);

    public string Liquidator => facts.Actors.Liquidator;
    public string Pool => manifest.AaveV3()[0].Pool;
    public string Morpho => manifest.MorphoBlue()?.Morpho ?? throw new DefiRiskException("fixture has no Morpho Blue");
    public AnvilNode Node => node;
    public FixtureFacts Facts => facts;

    /// <summary>Every later block gets the head block's timestamp (<c>anvil_setBlockTimestampInterval 0</c>): Aave indexes and
    /// Morpho interest stay where the snapshot read them. Undo with <see cref="UnfreezeClockAsync"/>.</summary>
    public async Task FreezeClockAsync()
    {
        await node.SetNextBlockTimestampAsync(await node.LatestTimestampAsync().ConfigureAwait(false)).ConfigureAwait(false);
        await node.Rpc.CallAsync("anvil_setBlockTimestampInterval", 0).ConfigureAwait(false);
    }

    public Task UnfreezeClockAsync() => node.Rpc.CallAsync("anvil_removeBlockTimestampInterval");

    /// <summary>Mints <paramref name="amount"/> (base units) of every fixture token to the liquidator and approves Pool and Morpho.</summary>
    public async Task FundAsync(BigInteger amount)
    {
        foreach (var token in facts.Tokens.Values)
        {
            await SendAsync(token.Address, Abi.Call("mint(address,uint256)", Liquidator, amount), "mint").ConfigureAwait(false);
            await SendAsync(token.Address, Abi.Call("approve(address,uint256)", Pool, Max), "approve Pool").ConfigureAwait(false);
            await SendAsync(token.Address, Abi.Call("approve(address,uint256)", Morpho, Max), "approve Morpho").ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ liquidations

    /// <summary><c>Pool.liquidationCall(collateral, debt, user, debtToCover, receiveAToken)</c> (<paramref name="debtToCover"/> null =
    /// <c>type(uint256).max</c>); throws with the revert reason if it fails.</summary>
    public async Task<AaveLiquidationOutcome> AaveLiquidateAsync(string collateralAsset, string debtAsset, string user, bool receiveAToken = false, BigInteger? debtToCover = null)
    {
        var receipt = await SendAsync(Pool, Abi.Call("liquidationCall(address,address,address,uint256,bool)", collateralAsset, debtAsset, user, debtToCover ?? Max, receiveAToken),
            $"liquidationCall({collateralAsset}, {debtAsset}, {user})").ConfigureAwait(false);
        var aToken = facts.Tokens.Values.Single(t => Same(t.Address, collateralAsset)).AToken;
        var treasury = await TreasuryAsync(aToken).ConfigureAwait(false);
        BigInteger? repaid = null, seized = null, fee = 0;
        foreach (var log in receipt.GetProperty("logs").EnumerateArray())
        {
            var topics = log.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToList();
            var address = log.GetProperty("address").GetString()!;
            var data = log.GetProperty("data").GetString()!;
            if (topics[0] == LiquidationCallTopic && Same(address, Pool))
            {
                repaid = Abi.UIntAt(data, 0);
                seized = Abi.UIntAt(data, 1);
            }
            else if (topics[0] == TransferTopic && Same(address, aToken) && topics.Count == 3
                && Same(TopicAddress(topics[1]), user) && Same(TopicAddress(topics[2]), treasury))
                fee += Abi.UIntAt(data, 0);
        }
        if (repaid is null || seized is null) throw new InvalidOperationException($"liquidationCall of {user} emitted no LiquidationCall event");
        return new AaveLiquidationOutcome(repaid.Value, seized.Value, fee.Value);
    }

    /// <summary><c>Morpho.liquidate(marketParams, borrower, seizedAssets, repaidShares, "")</c>; throws with the revert reason if it fails.</summary>
    public async Task<MorphoLiquidationOutcome> MorphoLiquidateAsync(FixtureMorphoMarket market, string borrower, BigInteger seizedAssets, BigInteger repaidShares)
    {
        var receipt = await SendAsync(Morpho, MorphoLiquidateData(market, borrower, seizedAssets, repaidShares), $"liquidate({market.Name}, {borrower})").ConfigureAwait(false);
        foreach (var log in receipt.GetProperty("logs").EnumerateArray())
        {
            var topics = log.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToList();
            if (topics[0] != MorphoLiquidateTopic || !Same(log.GetProperty("address").GetString()!, Morpho)) continue;
            var data = log.GetProperty("data").GetString()!;
            return new MorphoLiquidationOutcome(Abi.UIntAt(data, 0), Abi.UIntAt(data, 1), Abi.UIntAt(data, 2), Abi.UIntAt(data, 3), Abi.UIntAt(data, 4));
        }
        throw new InvalidOperationException($"liquidate of {borrower} emitted no Liquidate event");
    }

    private static string MorphoLiquidateData(FixtureMorphoMarket m, string borrower, BigInteger seizedAssets, BigInteger repaidShares) =>
        // MarketParams is a static tuple: ABI-encoded in place, exactly as its five fields would be.
        "0x" + Abi.Selector(MorphoLiquidateSignature) + Abi.Encode(
            ["address", "address", "address", "address", "uint256", "address", "uint256", "uint256", "bytes"],
            [m.LoanToken, m.CollateralToken, m.Oracle, m.Irm, BigInteger.Parse(m.Lltv), borrower, seizedAssets, repaidShares, Array.Empty<byte>()]);

    // ------------------------------------------------------------------ health, independently of the analyser

    /// <summary><c>Pool.getUserAccountData</c> for each account: (totalDebtBase, healthFactor wad), in one batch.</summary>
    public async Task<IReadOnlyDictionary<string, (BigInteger Debt, BigInteger HealthFactor)>> AaveAccountDataAsync(IReadOnlyList<string> accounts)
    {
        var results = await BatchAsync(accounts.Select(a => ("eth_call", new object?[] { Call(Pool, Abi.Call("getUserAccountData(address)", a)), "latest" })).ToList()).ConfigureAwait(false);
        var map = new Dictionary<string, (BigInteger, BigInteger)>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < accounts.Count; i++)
        {
            var hex = results[i].GetString()!;
            map[accounts[i]] = (Abi.UIntAt(hex, 1), Abi.UIntAt(hex, 5));
        }
        return map;
    }

    /// <summary><c>Pool.getUserAccountData(user).totalCollateralBase</c> (base currency).</summary>
    public async Task<BigInteger> AaveAccountCollateralBaseAsync(string user) =>
        Abi.UIntAt(await CallAsync(Pool, Abi.Call("getUserAccountData(address)", user)).ConfigureAwait(false), 0);

    /// <summary><c>Morpho.position(id, user)</c> = (supplyShares, borrowShares, collateral), in one batch.</summary>
    public async Task<IReadOnlyList<(BigInteger BorrowShares, BigInteger Collateral)>> MorphoPositionsAsync(IReadOnlyList<(FixtureMorphoMarket Market, string Account)> positions)
    {
        var results = await BatchAsync(positions.Select(p => ("eth_call", new object?[]
            { Call(Morpho, "0x" + Abi.Selector("position(bytes32,address)") + Abi.Encode(["bytes32", "address"], [Convert.FromHexString(p.Market.Id[2..]), p.Account])), "latest" })).ToList()).ConfigureAwait(false);
        return results.Select(r => (Abi.UIntAt(r.GetString()!, 1), Abi.UIntAt(r.GetString()!, 2))).ToList();
    }

    /// <summary>
    /// Whether Morpho itself would liquidate each position now: an <c>eth_call</c> of <c>liquidate(…, 0, repaidShares = 1, "")</c>
    /// from the funded liquidator (batched). Morpho reverts with "position is healthy" exactly when it is healthy; any
    /// other revert is a harness problem and throws.
    /// </summary>
    public async Task<IReadOnlyList<bool>> MorphoAreLiquidatableAsync(IReadOnlyList<(FixtureMorphoMarket Market, string Borrower)> positions)
    {
        var answers = new List<bool>(positions.Count);
        foreach (var chunk in positions.Chunk(500))
        {
            var results = await node.Rpc.TryBatchAsync(chunk.Select(p => ("eth_call", new object?[]
                { Call(Morpho, MorphoLiquidateData(p.Market, p.Borrower, 0, 1), Liquidator), "latest" })).ToList()).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                var error = results[i].Error;
                if (error is not null && !error.Contains("position is healthy", StringComparison.Ordinal))
                    throw new InvalidOperationException($"liquidate probe of {chunk[i].Borrower} in {chunk[i].Market.Name} reverted unexpectedly: {error}");
                answers.Add(error is null);
            }
        }
        return answers;
    }

    // ------------------------------------------------------------------ Uniswap v2

    public async Task<PairReserves> GetReservesAsync(string pair)
    {
        var r = await CallAsync(pair, Abi.Call("getReserves()")).ConfigureAwait(false);
        if (!_pairTokens.TryGetValue(pair, out var tokens))
            _pairTokens[pair] = tokens = (Abi.AddressAt(await CallAsync(pair, Abi.Call("token0()")).ConfigureAwait(false), 0),
                Abi.AddressAt(await CallAsync(pair, Abi.Call("token1()")).ConfigureAwait(false), 0));
        return new PairReserves(pair, tokens.Token0, tokens.Token1, Abi.UIntAt(r, 0), Abi.UIntAt(r, 1));
    }

    /// <summary>
    /// Sells <paramref name="amountIn"/> of <paramref name="tokenIn"/> along <paramref name="pairs"/> the way the router
    /// does: transfer to the first pair, then <c>swap</c> each hop for <see cref="UniswapV2Math.GetAmountOut"/> of the
    /// reserves read from the chain, sending the output to the next pair (the last to the liquidator). Returns the
    /// final output (base units of the last token).
    /// </summary>
    public async Task<BigInteger> SwapAsync(IReadOnlyList<string> pairs, string tokenIn, BigInteger amountIn, BigInteger? lastHopExtra = null)
    {
        if (pairs.Count == 0 || amountIn.IsZero) return amountIn;
        await SendAsync(tokenIn, Abi.Call("transfer(address,uint256)", pairs[0], amountIn), "transfer to pair").ConfigureAwait(false);
        var token = tokenIn;
        var amount = amountIn;
        for (var i = 0; i < pairs.Count; i++)
        {
            var r = await GetReservesAsync(pairs[i]).ConfigureAwait(false);
            var zeroForOne = Same(r.Token0, token);
            if (!zeroForOne && !Same(r.Token1, token)) throw new InvalidOperationException($"pair {pairs[i]} does not hold {token}");
            var (rin, rout) = zeroForOne ? (r.Reserve0, r.Reserve1) : (r.Reserve1, r.Reserve0);
            var outAmount = UniswapV2Math.GetAmountOut(amount, rin, rout) + (i == pairs.Count - 1 ? lastHopExtra ?? 0 : 0);
            var to = i + 1 < pairs.Count ? pairs[i + 1] : Liquidator;
            await SendAsync(pairs[i], Abi.Call("swap(uint256,uint256,address,bytes)", zeroForOne ? 0 : outAmount, zeroForOne ? outAmount : 0, to, Array.Empty<byte>()),
                $"swap on {pairs[i]}").ConfigureAwait(false);
            token = zeroForOne ? r.Token1 : r.Token0;
            amount = outAmount;
        }
        return amount;
    }

    /// <summary>
    /// One hop, checked against the pair's own invariant: transfers <paramref name="amountIn"/> to the pair, quotes
    /// <see cref="UniswapV2Math.GetAmountOut"/> from its reserves, checks (eth_call) that asking one base unit more reverts,
    /// then swaps exactly the quote to the liquidator. Returns the quote, whether one more reverted, and the liquidator's
    /// balance change of the output token.
    /// </summary>
    public async Task<(BigInteger Quoted, bool OneMoreReverts, BigInteger Received)> SwapExactlyAsync(string pair, string tokenIn, BigInteger amountIn)
    {
        var r = await GetReservesAsync(pair).ConfigureAwait(false);
        var zeroForOne = Same(r.Token0, tokenIn);
        var tokenOut = zeroForOne ? r.Token1 : r.Token0;
        var quoted = zeroForOne ? UniswapV2Math.GetAmountOut(amountIn, r.Reserve0, r.Reserve1) : UniswapV2Math.GetAmountOut(amountIn, r.Reserve1, r.Reserve0);
        await SendAsync(tokenIn, Abi.Call("transfer(address,uint256)", pair, amountIn), "transfer to pair").ConfigureAwait(false);
        string SwapData(BigInteger o) => Abi.Call("swap(uint256,uint256,address,bytes)", zeroForOne ? 0 : o, zeroForOne ? o : 0, Liquidator, Array.Empty<byte>());
        bool oneMoreReverts;
        try { await node.Rpc.CallAsync("eth_call", Call(pair, SwapData(quoted + 1), Liquidator), "latest").ConfigureAwait(false); oneMoreReverts = false; }
        catch (DefiRiskException ex) when (ex.Message.Contains("UniswapV2: K", StringComparison.Ordinal)) { oneMoreReverts = true; }
        var before = await BalanceOfAsync(tokenOut, Liquidator).ConfigureAwait(false);
        await SendAsync(pair, SwapData(quoted), $"swap on {pair}").ConfigureAwait(false);
        return (quoted, oneMoreReverts, await BalanceOfAsync(tokenOut, Liquidator).ConfigureAwait(false) - before);
    }

    /// <summary>
    /// Puts a pair at exactly (<paramref name="reserve0"/>, <paramref name="reserve1"/>) with token balances to match, as an
    /// exogenous market move: the reserves word (slot 8: reserve0 | reserve1 &lt;&lt; 112 | blockTimestampLast &lt;&lt; 224) is
    /// written, any balance shortfall minted to the pair (MintableERC20), and any surplus removed with the pair's own
    /// <c>skim</c> — so the next swap sees balance = reserve, as after a real trade.
    /// </summary>
    public async Task SetReservesAsync(string pair, BigInteger reserve0, BigInteger reserve1)
    {
        var current = await GetReservesAsync(pair).ConfigureAwait(false);
        var word = await node.GetStorageAtAsync(pair, 8).ConfigureAwait(false);
        var mask112 = (BigInteger.One << 112) - 1;
        var timestampBits = word >> 224 << 224;
        await node.SetStorageAtAsync(pair, 8, timestampBits | (reserve1 & mask112) << 112 | (reserve0 & mask112)).ConfigureAwait(false);
        foreach (var (token, target) in new[] { (current.Token0, reserve0), (current.Token1, reserve1) })
        {
            var balance = Abi.UIntAt(await CallAsync(token, Abi.Call("balanceOf(address)", pair)).ConfigureAwait(false), 0);
            if (balance < target) await SendAsync(token, Abi.Call("mint(address,uint256)", pair, target - balance), "mint to pair").ConfigureAwait(false);
        }
        await SendAsync(pair, Abi.Call("skim(address)", facts.Actors.Admin), "skim").ConfigureAwait(false);
        var after = await GetReservesAsync(pair).ConfigureAwait(false);
        if (after.Reserve0 != reserve0 || after.Reserve1 != reserve1)
            throw new InvalidOperationException($"pair {pair}: reserves {after.Reserve0}/{after.Reserve1} after setting {reserve0}/{reserve1}");
    }

    // ------------------------------------------------------------------ oracles

    /// <summary>Sets the MockAggregator answer of a market-feed asset (USD, 8 decimals) by its token address.</summary>
    public Task SetAaveFeedAsync(string asset, BigInteger price)
    {
        var symbol = facts.Tokens.Single(t => Same(t.Value.Address, asset)).Key;
        if (symbol == facts.ExchangeRateAggregator.Asset)
            throw new DefiRiskException($"{symbol} is priced by an exchange-rate oracle: set {facts.ExchangeRateAggregator.BaseAsset} instead");
        return node.SetStorageAtAsync(facts.PriceFeeds[symbol], 0, price);
    }

    /// <summary>Sets a Morpho OracleMock's <c>price()</c> (1e36 scale).</summary>
    public Task SetMorphoOracleAsync(string oracle, BigInteger price) => node.SetStorageAtAsync(oracle, 0, price);

    /// <summary><c>AaveOracle.getAssetPrice(asset)</c>.</summary>
    public async Task<BigInteger> AaveOraclePriceAsync(string asset) =>
        Abi.UIntAt(await CallAsync(manifest.AaveV3()[0].Oracle, Abi.Call("getAssetPrice(address)", asset)).ConfigureAwait(false), 0);

    public async Task<BigInteger> BalanceOfAsync(string token, string holder) =>
        Abi.UIntAt(await CallAsync(token, Abi.Call("balanceOf(address)", holder)).ConfigureAwait(false), 0);

    // ------------------------------------------------------------------ plumbing

    /// <summary>JSON-RPC batches of at most 500 calls (anvil answers a larger batch with one error object).</summary>
    private async Task<IReadOnlyList<JsonElement>> BatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls)
    {
        var results = new List<JsonElement>(calls.Count);
        foreach (var chunk in calls.Chunk(500))
            results.AddRange(await node.Rpc.BatchAsync(chunk).ConfigureAwait(false));
        return results;
    }

    private async Task<string> TreasuryAsync(string aToken)
    {
        if (!_treasury.TryGetValue(aToken, out var t))
            _treasury[aToken] = t = Abi.AddressAt(await CallAsync(aToken, Abi.Call("RESERVE_TREASURY_ADDRESS()")).ConfigureAwait(false), 0);
        return t;
    }

    /// <summary>Sends a transaction from the liquidator and returns its receipt; a revert throws with the reason (replayed as eth_call).</summary>
    public async Task<JsonElement> SendAsync(string to, string data, string label, long gas = Gas)
    {
        var request = Call(to, data, Liquidator);
        request["gas"] = AnvilRpc.Hex(gas);
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
        // Anvil answers eth_sendTransaction before its automine task has sealed the block: poll briefly.
        var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
        for (var i = 0; i < 2000 && receipt.ValueKind == JsonValueKind.Null; i++)
        {
            await Task.Delay(1).ConfigureAwait(false);
            receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
        }
        if (receipt.ValueKind == JsonValueKind.Null) throw new InvalidOperationException($"{label}: not mined (is automine on?)");
        if (AnvilRpc.Quantity(receipt.GetProperty("status")) != 1)
        {
            string reason;
            try { await node.Rpc.CallAsync("eth_call", Call(to, data, Liquidator), "latest").ConfigureAwait(false); reason = "no reason"; }
            catch (DefiRiskException ex) { reason = ex.Message; }
            throw new InvalidOperationException($"{label} reverted: {reason}");
        }
        return receipt;
    }

    private async Task<string> CallAsync(string to, string data) =>
        (await node.Rpc.CallAsync("eth_call", Call(to, data), "latest").ConfigureAwait(false)).GetString()!;

    private static Dictionary<string, object> Call(string to, string data, string? from = null)
    {
        var d = new Dictionary<string, object> { ["to"] = to, ["data"] = data };
        if (from is not null) d["from"] = from;
        return d;
    }

    private static string Topic(string signature) => "0x" + Sha3Keccack.Current.CalculateHash(signature);

    private static string TopicAddress(string topic) => "0x" + topic[^40..];

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
