using System.Numerics;
using System.Text.Json;
using DefiRisk.Core;
using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>
/// Sends transactions to an anvil started with <c>--no-mining --order fifo --base-fee 0</c> without
/// waiting for receipts: nonces are counted here, gas limits are explicit (no estimate round trip) and
/// gasPrice is 0, so senders need no ETH. Blocks come only from <see cref="MineAsync"/>, with timestamps
/// <see cref="BlockSeconds"/> apart from a fixed start, and every transaction of the block is checked
/// to have succeeded. Same sends in the same order → the same blocks, hashes and addresses.
/// </summary>
internal sealed class ChainWriter(AnvilNode node, long startTimestamp)
{
    public const long DefaultGas = 2_000_000;
    public const long DeployGas = 8_000_000;
    /// <summary>Seconds between fixture blocks, as on mainnet.</summary>
    public const int BlockSeconds = 12;

    private readonly Dictionary<string, long> _nonces = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Hash, string Label, object Request)> _pending = [];
    /// <summary>Queued by <see cref="Queue"/>, not yet sent: nonces taken, order fixed.</summary>
    private readonly List<(string Label, object Request)> _queued = [];

    private long _rpcId = 1L << 40;

    /// <summary>The first of <paramref name="count"/> fresh JSON-RPC ids for a pipelined run.</summary>
    private long NextIds(int count)
    {
        var first = _rpcId;
        _rpcId += count;
        return first;
    }

    public AnvilNode Node => node;
    public int Transactions { get; private set; }
    public long Timestamp { get; private set; } = startTimestamp;
    /// <summary>Sent or queued, not yet mined.</summary>
    public int PendingCount => _pending.Count + _queued.Count;

    public async Task<string> SendAsync(string from, string to, string data, string label, long gas = DefaultGas)
    {
        await FlushAsync().ConfigureAwait(false);
        var request = Request(from, to, data, gas);
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
        _pending.Add((hash, label, request));
        Transactions++;
        return hash;
    }

    /// <summary>
    /// Takes the sender's next nonce now and sends the transaction with the next <see cref="FlushAsync"/> (or
    /// <see cref="MineAsync"/>, <see cref="SendAsync"/>), in one JSON-RPC batch with its neighbours: one HTTP request
    /// per 200 transactions instead of one each. The order of the sends is kept and checked when mined.
    /// </summary>
    public void Queue(string from, string to, string data, string label, long gas = DefaultGas) =>
        _queued.Add((label, Request(from, to, data, gas)));

    /// <summary>Sends the queued transactions, pipelined on one connection, in queue order.</summary>
    public async Task FlushAsync()
    {
        if (_queued.Count == 0) return;
        var hashes = await PipelinedRpc.CallAllAsync(node.Port, _queued.Select(q => ("eth_sendTransaction", new object?[] { q.Request })).ToList(), NextIds(_queued.Count)).ConfigureAwait(false);
        for (var i = 0; i < _queued.Count; i++) _pending.Add((hashes[i].GetString()!, _queued[i].Label, _queued[i].Request));
        Transactions += _queued.Count;
        _queued.Clear();
    }

    /// <summary>Sends a contract creation and returns the address it will have (from sender and nonce).</summary>
    public async Task<string> DeployAsync(string from, string creationData, string label, long gas = DeployGas)
    {
        var nonce = _nonces.GetValueOrDefault(from);
        var address = ContractUtils.CalculateContractAddress(from, new BigInteger(nonce)).ToLowerInvariant();
        await SendAsync(from, null!, creationData, label, gas).ConfigureAwait(false);
        return address;
    }

    private Dictionary<string, object> Request(string from, string? to, string data, long gas)
    {
        var nonce = _nonces.GetValueOrDefault(from);
        _nonces[from] = nonce + 1;
        var request = new Dictionary<string, object>
        {
            ["from"] = from,
            ["data"] = data,
            ["gas"] = AnvilRpc.Hex(gas),
            ["gasPrice"] = "0x0",
            ["nonce"] = AnvilRpc.Hex(nonce),
        };
        if (to is not null) request["to"] = to;
        return request;
    }

    /// <summary>Mines the pending transactions into one block and fails on the first that reverted.</summary>
    /// <param name="sameSecond">the block at the parent's timestamp (anvil accepts it): nothing accrues, the clock stays.</param>
    public async Task MineAsync(bool sameSecond = false)
    {
        await FlushAsync().ConfigureAwait(false);
        if (!sameSecond) Timestamp += BlockSeconds;
        // Pipelined, without the HTTP client's 5-minute timeout: a 3,000-transaction block of a large book on a starved,
        // niced anvil took longer than that to mine (the build was cancelled). A dead node closes the connection instead.
        await PipelinedRpc.CallAllAsync(node.Port, [("evm_mine", [new Dictionary<string, object> { ["timestamp"] = Timestamp }])], NextIds(1)).ConfigureAwait(false);
        if (_pending.Count == 0) return;
        var receipts = await PipelinedRpc.CallAllAsync(node.Port, _pending.Select(p => ("eth_getTransactionReceipt", new object?[] { p.Hash })).ToList(), NextIds(_pending.Count)).ConfigureAwait(false);
        for (var i = 0; i < receipts.Count; i++)
        {
            if (receipts[i].ValueKind == JsonValueKind.Null)
                throw new InvalidOperationException($"fixture build: '{_pending[i].Label}' was not mined (block gas limit?)");
            if (AnvilRpc.Quantity(receipts[i].GetProperty("status")) != 1)
                throw new InvalidOperationException($"fixture build: '{_pending[i].Label}' reverted{await ReasonAsync(_pending[i].Request).ConfigureAwait(false)}");
            // fifo order is what makes a build reproducible (and a borrow come after its collateral): a batch that
            // anvil took out of order must fail here, not give another chain.
            if (AnvilRpc.Quantity(receipts[i].GetProperty("transactionIndex")) != i)
                throw new InvalidOperationException($"fixture build: '{_pending[i].Label}' was mined at index {AnvilRpc.Quantity(receipts[i].GetProperty("transactionIndex"))}, sent as {i} of its block");
        }
        _pending.Clear();
    }

    /// <summary>Best effort: replays a failed tx as eth_call on the new head to get its revert reason.</summary>
    private async Task<string> ReasonAsync(object request)
    {
        try
        {
            await node.Rpc.CallAsync("eth_call", request, "latest").ConfigureAwait(false);
            return "";
        }
        catch (DefiRiskException ex)
        {
            return ": " + ex.Message;
        }
    }

    public async Task<string> CallAsync(string to, string data, string block = "latest") =>
        (await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, block).ConfigureAwait(false)).GetString()!;
}
