using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// The read checkpoint of one chain for <see cref="EthRpc.CallAsync"/>: each request's answers are kept under a hash of its
/// calls and block, so a re-run that sends the same request at the same block takes them instead of asking the node.
/// Answers kept in a form that cannot be read back (another build's) are simply read again.
/// </summary>
public sealed class ReadCheckpointScope(IReadCheckpoint store, long chainId)
{
    public CallResult[]? Find(long block, string key, int count)
    {
        if (store.Find(chainId, block, key) is not { } text) return null;
        try
        {
            var saved = JsonSerializer.Deserialize<Saved[]>(text);
            return saved is { Length: var n } && n == count ? saved.Select(s => new CallResult(s.Ok, s.Data, s.Error)).ToArray() : null;
        }
        catch (JsonException) { return null; }
    }

    public void Save(long block, string key, CallResult[] results) =>
        store.Save(chainId, block, key, JsonSerializer.Serialize(results.Select(r => new Saved(r.Success, r.Data, r.Error))));

    /// <summary>SHA-256 of the block and every call (target, data, override code): the same request, the same key.</summary>
    public static string Key(IReadOnlyList<EthCall> calls, int start, int count, long block)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{block}\n"));
        for (var i = start; i < start + count; i++)
        {
            var c = calls[i];
            hash.AppendData(Encoding.UTF8.GetBytes(c.To.ToLowerInvariant()));
            hash.AppendData("|"u8);
            hash.AppendData(Encoding.UTF8.GetBytes(c.Data));
            hash.AppendData("|"u8);
            if (c.Code is { } code) hash.AppendData(Encoding.UTF8.GetBytes(code));
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed record Saved(bool Ok, string Data, string? Error);
}
