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

    public AnvilNode Node => node;
    public int Transactions { get; private set; }
    public long Timestamp { get; private set; } = startTimestamp;
    public int PendingCount => _pending.Count;

    public async Task<string> SendAsync(string from, string to, string data, string label, long gas = DefaultGas)
    {
        var request = Request(from, to, data, gas);
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
        _pending.Add((hash, label, request));
        Transactions++;
        return hash;
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
    public async Task MineAsync()
    {
        Timestamp += BlockSeconds;
        await node.MineAsync(Timestamp).ConfigureAwait(false);
        if (_pending.Count == 0) return;
        var receipts = await node.Rpc.BatchAsync(_pending.Select(p => ("eth_getTransactionReceipt", new object?[] { p.Hash })).ToList()).ConfigureAwait(false);
        for (var i = 0; i < receipts.Count; i++)
        {
            if (receipts[i].ValueKind == JsonValueKind.Null)
                throw new InvalidOperationException($"fixture build: '{_pending[i].Label}' was not mined (block gas limit?)");
            if (AnvilRpc.Quantity(receipts[i].GetProperty("status")) != 1)
                throw new InvalidOperationException($"fixture build: '{_pending[i].Label}' reverted{await ReasonAsync(_pending[i].Request).ConfigureAwait(false)}");
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
