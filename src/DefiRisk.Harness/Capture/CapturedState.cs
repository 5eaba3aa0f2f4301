using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DefiRisk.Harness.Capture;

/// <summary>
/// The accounts a capture recorded, merged: balance, nonce and code per account, and every storage slot read or written.
/// The first record of a field is kept: the index's reads are all at the captured block, and a review's transactions are
/// recorded in the order they ran, each as it found the state, so the first to touch a field saw its value at the block. Written as anvil's state file
/// (<see cref="Write"/>), which a bare <c>anvil --load-state</c> serves at that block.
/// </summary>
internal sealed class CapturedState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    private sealed class Account
    {
        public string? Balance;
        public ulong? Nonce;
        public string? Code;
        public readonly Dictionary<string, string> Storage = new(StringComparer.Ordinal);
    }

    public int Accounts { get { lock (_gate) return _accounts.Count; } }
    public int StorageSlots { get { lock (_gate) return _accounts.Values.Sum(a => a.Storage.Count); } }
    public int Contracts { get { lock (_gate) return _accounts.Values.Count(a => a.Code is { Length: > 2 }); } }
    public long CodeBytes { get { lock (_gate) return _accounts.Values.Sum(a => a.Code is { Length: > 2 } c ? (c.Length - 2) / 2L : 0); } }

    /// <summary>One account of a <c>prestateTracer</c> answer: any of balance, nonce, code, storage (fields left out are zero).</summary>
    public void Prestate(string address, JsonObject fields)
    {
        lock (_gate)
        {
            var account = Get(address);
            // The tracer leaves out a zero nonce and empty code: an account it names has them, so the first touch fixes all
            // three (a later transaction's prestate would otherwise fill in the nonce or code an earlier one gave it).
            account.Balance ??= fields["balance"] is JsonValue b ? Word(b.GetValue<string>()) : "0x0";
            account.Nonce ??= fields["nonce"] is JsonValue n ? n.TryGetValue<ulong>(out var u) ? u : (ulong)Quantity(n.GetValue<string>()) : 0;
            account.Code ??= fields["code"] is JsonValue c ? c.GetValue<string>().ToLowerInvariant() : "0x";
            if (fields["storage"] is JsonObject storage)
                foreach (var (slot, value) in storage)
                    account.Storage.TryAdd(Slot(slot), Slot(value!.GetValue<string>()));
        }
    }

    public void Code(string address, string code)
    {
        lock (_gate) Get(address).Code ??= code.ToLowerInvariant();
    }

    public void Slot(string address, string slot, string value)
    {
        lock (_gate) Get(address).Storage.TryAdd(Slot(slot), Slot(value));
    }

    public void Balance(string address, string balance)
    {
        lock (_gate) Get(address).Balance ??= Word(balance);
    }

    /// <summary>Leaves out an account (one that exists only in a state override).</summary>
    public void Remove(string address)
    {
        lock (_gate) _accounts.Remove(address.ToLowerInvariant());
    }

    private Account Get(string address)
    {
        var key = address.ToLowerInvariant();
        if (!_accounts.TryGetValue(key, out var account)) _accounts[key] = account = new Account();
        return account;
    }

    /// <summary>
    /// anvil's state file (the format of its <c>anvil_dumpState</c>, as the bundled fixtures' state.json): the block
    /// environment, the accounts sorted by address with their slots sorted, the captured block as the one block (anvil
    /// refuses a state whose best block it has no header for), no transactions. <paramref name="block"/> is the node's
    /// <c>eth_getBlockByNumber</c> answer for the captured block; its header fields are kept as they are, so the loaded
    /// chain reports the same block hash and timestamp.
    /// </summary>
    public void Write(Stream output, JsonObject block)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WritePropertyName("block");
        w.WriteStartObject();
        w.WriteString("number", Field(block, "number"));
        w.WriteString("beneficiary", Field(block, "miner"));
        w.WriteString("timestamp", Field(block, "timestamp"));
        w.WriteNumber("gas_limit", (ulong)Quantity(Field(block, "gasLimit")));
        w.WriteNumber("basefee", (ulong)Quantity(block["baseFeePerGas"]?.GetValue<string>() ?? "0x0"));
        w.WriteString("difficulty", Field(block, "difficulty"));
        w.WriteString("prevrandao", Field(block, "mixHash"));
        w.WriteEndObject();

        w.WritePropertyName("accounts");
        w.WriteStartObject();
        lock (_gate)
        {
            foreach (var (address, account) in _accounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(address);
                w.WriteStartObject();
                w.WriteNumber("nonce", account.Nonce ?? 0);
                w.WriteString("balance", account.Balance ?? "0x0");
                w.WriteString("code", account.Code ?? "0x");
                w.WritePropertyName("storage");
                w.WriteStartObject();
                foreach (var (slot, value) in account.Storage.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(slot, value);
                w.WriteEndObject();
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();

        w.WriteNumber("best_block_number", (ulong)Quantity(Field(block, "number")));
        w.WritePropertyName("blocks");
        w.WriteStartArray();
        w.WriteStartObject();
        w.WritePropertyName("header");
        w.WriteStartObject();
        foreach (var key in HeaderFields)
            if (block[key] is JsonValue value) { w.WritePropertyName(key); value.WriteTo(w); }
        w.WriteEndObject();
        w.WritePropertyName("transactions");
        w.WriteStartArray();
        w.WriteEndArray();
        w.WritePropertyName("ommers");
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WritePropertyName("transactions");
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteNull("historical_states");
        w.WriteEndObject();
    }

    /// <summary>The header fields of anvil's block record, in its order (the RPC block adds hash, size, transactions…).</summary>
    private static readonly string[] HeaderFields =
    [
        "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom", "difficulty", "number",
        "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce", "baseFeePerGas", "withdrawalsRoot", "blobGasUsed",
        "excessBlobGas", "parentBeaconBlockRoot", "requestsHash",
    ];

    private static string Field(JsonObject block, string key) =>
        block[key]?.GetValue<string>() ?? throw new InvalidDataException($"the node's block has no {key}");

    /// <summary>A 32-byte word as anvil writes storage keys and values: 0x + 64 lowercase hex digits.</summary>
    private static string Slot(string hex) => "0x" + Quantity(hex).ToString("x64", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(64, '0');

    /// <summary>A quantity as the tracer gives it, normalised (0x0, no leading zeros).</summary>
    private static string Word(string hex)
    {
        var digits = Quantity(hex).ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return "0x" + (digits.Length == 0 ? "0" : digits);
    }

    private static BigInteger Quantity(string hex)
    {
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        return digits.Length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }
}
