using DefiRisk.Harness;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>The resilient RPC client against a real anvil, directly and through a fault-injecting proxy.</summary>
[Trait("Category", "ChainParity")]
public sealed class EthRpcTests
{
    // Runtime code that returns the 32-byte word 42, and code that reverts with no data.
    private const string Returns42 = "0x602a60005260206000f3";
    private const string AlwaysReverts = "0x60006000fd";
    private const string ContractA = "0x00000000000000000000000000000000000000a1";
    private const string ContractB = "0x00000000000000000000000000000000000000b2";

    // These tests are about JSON-RPC batches themselves: reads without the lens.
    private static readonly RpcOptions Fast = new() { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(10), BatchSize = 7, CallsPerRead = 1 };

    private static async Task<AnvilNode> NodeWithContractsAsync()
    {
        var node = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 31337 });
        await node.Rpc.CallAsync("anvil_setCode", ContractA, Returns42);
        await node.Rpc.CallAsync("anvil_setCode", ContractB, AlwaysReverts);
        await node.MineAsync();
        return node;
    }

    [Fact]
    public async Task Batch_returns_results_in_call_order_and_reports_reverts_without_retrying()
    {
        await using var node = await NodeWithContractsAsync();
        using var rpc = new EthRpc(node.RpcUrl, Fast);
        var block = await rpc.BlockNumberAsync(default);
        var calls = Enumerable.Range(0, 30).Select(i => new EthCall(i % 3 == 2 ? ContractB : ContractA, "0x")).ToList();

        var results = await rpc.CallAsync(calls, block, default);

        for (var i = 0; i < calls.Count; i++)
        {
            if (i % 3 == 2) { Assert.False(results[i].Success); Assert.Contains("revert", results[i].Error, StringComparison.OrdinalIgnoreCase); }
            else Assert.Equal(42, (int)EthRpc.ParseBig(results[i].Data));
        }
        Assert.Equal(30, rpc.Stats.EthCalls);
        Assert.Equal(5, rpc.Stats.Batches);           // 30 calls in batches of 7
        Assert.Equal(0, rpc.Stats.Retries);          // a revert is an answer, not a fault
        Assert.Equal(1 + 5, rpc.Stats.HttpRequests);  // eth_blockNumber + 5 batches
    }

    [Fact]
    public async Task Faults_429_500_truncated_json_and_dropped_connections_are_retried_to_the_same_answer()
    {
        await using var node = await NodeWithContractsAsync();
        var kinds = new[] { Fault.TooManyRequests, Fault.ServerError, Fault.TruncatedJson, Fault.DroppedConnection };
        // Every other request fails, cycling through the four kinds.
        await using var proxy = new FaultProxy(node.RpcUrl, n => n % 2 == 0 ? kinds[n / 2 % kinds.Length] : Fault.None);
        using var rpc = new EthRpc(proxy.Url, Fast);

        Assert.Equal(31337, await rpc.ChainIdAsync(default));
        var block = await rpc.BlockNumberAsync(default);
        var results = await rpc.CallAsync(Enumerable.Repeat(new EthCall(ContractA, "0x"), 50).ToList(), block, default);

        Assert.All(results, r => Assert.Equal(42, (int)EthRpc.ParseBig(r.Data)));
        Assert.True(proxy.FaultsInjected >= 8, $"only {proxy.FaultsInjected} faults injected");
        Assert.True(rpc.Stats.Retries >= 8);
    }

    [Fact]
    public async Task A_node_that_always_fails_is_one_chain_error_naming_the_attempts()
    {
        await using var node = await NodeWithContractsAsync();
        await using var proxy = new FaultProxy(node.RpcUrl, _ => Fault.ServerError);
        using var rpc = new EthRpc(proxy.Url, Fast with { MaxAttempts = 3 });

        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => rpc.ChainIdAsync(default));

        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.StartsWith($"RPC {proxy.Url.TrimEnd('/')} failed after 3 attempts: HTTP 500", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(3, proxy.Requests);
    }

    [Fact]
    public async Task An_unreachable_node_is_one_chain_error()
    {
        using var rpc = new EthRpc(LoopbackProxy.ClosedPortUrl(), Fast with { MaxAttempts = 2 });
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => rpc.ChainIdAsync(default));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("failed after 2 attempts", ex.Message);
        Assert.Contains("refused", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
