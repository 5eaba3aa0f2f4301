using System.Diagnostics;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Harness;

/// <summary>
/// The yardstick `bench index` sets DefiRisk's read phase beside: what a plain script would do against the same node,
/// one <c>getUserAccountData</c> per borrower, as JSON-RPC batches of 200, 4 in flight (no lens). It reads aggregates
/// only (no per-reserve balances, no e-mode, no market state), so it is a floor on the work, not the same work.
/// </summary>
public static class NaiveAccountReader
{
    public sealed record Figures(int Accounts, TimeSpan Elapsed, long HttpRequests)
    {
        public double AccountsPerSecond => Accounts / Elapsed.TotalSeconds;
    }

    public static async Task<Figures> ReadAsync(FixtureServer server, CancellationToken ct)
    {
        var pool = server.Manifest.AaveV3()[0].Pool;
        using var rpc = new EthRpc(server.RpcUrl, new RpcOptions { BatchSize = 200, Concurrency = 4, CallsPerRead = 1 });
        var calls = server.Facts.Borrowers
            .Select(b => new EthCall(pool, new GetUserAccountDataFunction { User = b }.GetCallData().ToHex(prefix: true))).ToList();
        var clock = Stopwatch.StartNew();
        var results = await rpc.CallAsync(calls, server.Block, ct).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var failed = results.Count(r => !r.HasData);
        if (failed > 0) throw new Core.DefiRiskException($"the naive reader's getUserAccountData failed for {failed} of {calls.Count} accounts");
        return new Figures(calls.Count, elapsed, rpc.Stats.HttpRequests);
    }
}
