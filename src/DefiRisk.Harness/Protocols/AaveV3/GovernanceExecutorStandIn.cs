using System.Text.Json;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Installs a STAND-IN for Aave's governance Executor on a deployment without governance (a fixture), so the governed
/// route of a review — impersonate the executor's owner, call <c>executeTransaction(payload, 0, "execute()", "", true)</c> —
/// can be exercised on real 3.6 bytecode without a mainnet fork. Plumbing only: our own contract
/// (fixtures/contracts/plumbing/GovernanceExecutorStandIn.sol) with the mainnet executor's ABI and owner semantics, given
/// Executor level 1's roles (POOL_ADMIN, RISK_ADMIN) by the fixture's ACL admin.
/// </summary>
public static class GovernanceExecutorStandIn
{
    public const string Source = "fixtures/contracts/plumbing/GovernanceExecutorStandIn.sol";
    public const string Name = "GovernanceExecutorStandIn";

    /// <summary>Mainnet's PayloadsController, Executor level 1's owner (ADDRESSES.md): the stand-in's owner, so a review
    /// impersonates the same address it would on a fork. It has no code on a fixture.</summary>
    public const string MainnetPayloadsController = "0xdAbad81aF85554E9ae636395611C58F7eC1aAEc5";

    /// <summary>Deploys the stand-in owned by <paramref name="owner"/> and grants it POOL_ADMIN and RISK_ADMIN; returns its address.</summary>
    public static async Task<string> InstallAsync(AnvilRpc rpc, string aclManager, string aclAdmin, string owner = MainnetPayloadsController, CancellationToken ct = default)
    {
        var modules = NodeModules.Locate();
        var compiled = await AaveV3PayloadExecutor.CompileAsync(modules, Path.Combine(modules.RepositoryRoot, Source), Name, ct).ConfigureAwait(false);
        await rpc.CallAsync("anvil_impersonateAccount", aclAdmin).ConfigureAwait(false);
        try
        {
            var nonce = (long)AnvilRpc.Quantity(await rpc.CallAsync("eth_getTransactionCount", aclAdmin, "pending").ConfigureAwait(false));
            var executor = Nethereum.Util.ContractUtils.CalculateContractAddress(aclAdmin, nonce).ToLowerInvariant();
            await SendAsync(rpc, aclAdmin, null, Abi.Deploy(compiled.Bytecode, "(address)", owner), "deploy the governance executor stand-in").ConfigureAwait(false);
            await SendAsync(rpc, aclAdmin, aclManager, Abi.Call("addPoolAdmin(address)", executor), "grant POOL_ADMIN to the stand-in").ConfigureAwait(false);
            await SendAsync(rpc, aclAdmin, aclManager, Abi.Call("addRiskAdmin(address)", executor), "grant RISK_ADMIN to the stand-in").ConfigureAwait(false);
            return executor;
        }
        finally
        {
            await rpc.CallAsync("anvil_stopImpersonatingAccount", aclAdmin).ConfigureAwait(false);
        }
    }

    private static async Task SendAsync(AnvilRpc rpc, string from, string? to, string data, string label)
    {
        var request = new Dictionary<string, object> { ["from"] = from, ["data"] = data, ["gas"] = AnvilRpc.Hex(8_000_000) };
        if (to is not null) request["to"] = to;
        var hash = (await rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
        // Without automine, mine it. With automine, wait for the node's own block: an evm_mine racing it could leave the
        // node mining an extra, empty block later.
        if (!(await rpc.CallAsync("anvil_getAutomine").ConfigureAwait(false)).GetBoolean()) await rpc.CallAsync("evm_mine").ConfigureAwait(false);
        var receipt = await rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
        for (var i = 0; receipt.ValueKind == JsonValueKind.Null && i < 100; i++)
        {
            await Task.Delay(50).ConfigureAwait(false);
            receipt = await rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
        }
        if (receipt.ValueKind == JsonValueKind.Null || AnvilRpc.Quantity(receipt.GetProperty("status")) != 1)
            throw new DefiRiskException($"{label} failed");
    }
}
