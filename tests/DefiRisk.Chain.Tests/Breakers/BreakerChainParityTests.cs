using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Harness;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Breakers;

/// <summary>
/// The proposal side of the analyser against the real Aave v3.0 contracts on the served demo fixture: Aave's own
/// circuit breaker (<c>PriceOracleSentinel</c> with the <c>SequencerOracle</c> mock) step by step against
/// <see cref="DeviationPauseBreaker"/>, and a liquidation-threshold change made with <c>PoolConfigurator</c> against
/// <see cref="ProposalApplier"/> + <see cref="AaveV3AccountMath"/>. Each test reverts the chain afterwards.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class BreakerChainParityTests(DemoChain chain)
{
    private static readonly BigInteger UInt256Max = (BigInteger.One << 256) - 1;
    private static readonly BigInteger Hf095 = 950_000_000_000_000_000;

    private AnvilNode Node => chain.Server.Node;
    private FixtureFacts Facts => chain.Server.Facts;
    private string Admin => Facts.Actors.Admin.ToLowerInvariant();

    [Fact]
    public async Task A_changed_liquidation_threshold_gives_the_health_factors_the_analyser_computes_for_the_proposal()
    {
        var S = chain.Stored;
        var proposal = CoreRegistry.ParseProposal("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "81.5%" }, "wstETH": { "liquidationThreshold": "79.5%" } } } }""",
            "test-proposal.json", S);
        var applied = ProposalApplier.Apply(S, proposal);
        var market = Assert.Single(applied.AaveV3Markets());
        var before = Assert.Single(S.AaveV3Markets()).Market;
        var configurator = chain.Server.Manifest.AaveV3()[0].PoolConfigurator!;

        var snapshotId = await Node.SnapshotAsync();
        try
        {
            foreach (var change in proposal.AaveV3Reserves())
            {
                var reserve = market.Market.Reserve(S.FindAsset(change.Asset)!.Address);
                Assert.Equal(change.LiquidationThreshold, reserve.LiquidationThreshold);
                Assert.NotEqual(before.Reserve(reserve.Asset).LiquidationThreshold, reserve.LiquidationThreshold);
                // Mined at the snapshot block's own timestamp: no interest accrues, so only the threshold differs.
                await Node.Rpc.CallAsync("evm_setNextBlockTimestamp", S.Chain.BlockTimestamp);
                await SendAsync(Admin, configurator, Calldata("configureReserveAsCollateral(address,uint256,uint256,uint256)",
                    reserve.Asset.Value, reserve.Ltv, reserve.LiquidationThreshold, reserve.LiquidationBonus), "configureReserveAsCollateral");
            }
            var block = await Node.BlockNumberAsync();
            Assert.Equal(S.Chain.BlockTimestamp, await Node.LatestTimestampAsync());

            using var rpc = new EthRpc(chain.Server.RpcUrl);
            var batch = new ReadBatch();
            var reads = market.Accounts.Select(a => (a, batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(market.Market.Pool.Value, new() { User = a.Account.Value }))).ToList();
            await batch.ExecuteAsync(rpc, block, default);
            int compared = 0, changed = 0;
            foreach (var (account, read) in reads)
            {
                var expected = read.Value;
                var ours = AaveV3AccountMath.Calculate(market.Market, account);
                Assert.True(expected.HealthFactor == ours.HealthFactor, $"{account.Account}: getUserAccountData HF {expected.HealthFactor}, analyser {ours.HealthFactor}");
                Assert.Equal(expected.CurrentLiquidationThreshold, ours.AverageLiquidationThreshold);
                if (ours.HealthFactor != AaveV3AccountMath.Calculate(before, account).HealthFactor) changed++;
                compared++;
            }
            Assert.Equal(Facts.AaveBorrowers, compared);
            Assert.True(changed >= compared / 2, $"only {changed} of {compared} health factors moved: the change did not bite");
        }
        finally { Assert.True(await Node.RevertAsync(snapshotId)); }
    }

    [Fact]
    public async Task Aaves_price_oracle_sentinel_allows_the_same_liquidations_as_the_pause_and_grace_model_step_by_step()
    {
        // One analyser step = 60 s. Sequencer down for 2 steps, then a grace of 3 steps = 180 s. Each round is looked at
        // at the end of its step: round k's block is at T0 + (k+1)·60; the sequencer goes down at T0 and up at T0 + 2·60,
        // so in round k ≥ 2 it has been up (k − 1)·60 s, and the sentinel's "> 180 s" holds from round 5 = 2 + 3 on.
        const int stepSeconds = 60, pauseSteps = 2, graceSteps = 3;
        var S = chain.Stored;
        var manifest = chain.Server.Manifest.AaveV3()[0];
        var pool = manifest.Pool.ToLowerInvariant();
        var weth = Facts.Tokens["WETH"].Address.ToLowerInvariant();
        var usdc = Facts.Tokens["USDC"].Address.ToLowerInvariant();
        var liquidator = Facts.Actors.Liquidator.ToLowerInvariant();
        var modules = NodeModules.Locate();

        var snapshotId = await Node.SnapshotAsync();
        try
        {
            var sequencer = await DeployAsync(ContractArtifact.Aave(modules, "contracts/mocks/oracle/SequencerOracle.sol", "SequencerOracle").Bytecode, "(address)", Admin);
            var sentinel = await DeployAsync(ContractArtifact.Aave(modules, "contracts/protocol/configuration/PriceOracleSentinel.sol", "PriceOracleSentinel").Bytecode,
                "(address,address,uint256)", manifest.PoolAddressesProvider!, sequencer, graceSteps * stepSeconds);
            await SendAsync(Admin, manifest.PoolAddressesProvider!, Calldata("setPriceOracleSentinel(address)", sentinel), "setPriceOracleSentinel");

            // A WETH drop that leaves one WETH-collateral/USDC-debt borrower between 0.95 and 1 and another below 0.95.
            var candidates = Assert.Single(S.AaveV3Markets()).Accounts
                .Where(a => a.Reserves.Any(r => r.Asset.Value == weth && r.UsedAsCollateral && !r.Collateral.IsZero) && a.Reserves.Any(r => r.Asset.Value == usdc && !r.TotalDebt.IsZero))
                .Select(a => a.Account.Value).ToList();
            var prices = new FixturePrices(Node, Facts);
            var wethPrice = await prices.GetUsdPriceAsync("WETH");
            string? between = null, below = null;
            foreach (var factor in new[] { 85, 80, 90, 75, 70 })
            {
                await prices.SetUsdPriceAsync("WETH", wethPrice * factor / 100);
                var hfs = await HealthFactorsAsync(candidates, "latest");
                between = candidates.FirstOrDefault(a => hfs[a] > 955_000_000_000_000_000 && hfs[a] < 990_000_000_000_000_000);
                below = candidates.FirstOrDefault(a => hfs[a] < 940_000_000_000_000_000);
                if (between is not null && below is not null) break;
            }
            Assert.True(between is not null && below is not null, "no WETH drop gives borrowers on both sides of HF 0.95");

            var breaker = new DeviationPauseBreaker(new DeviationPause(ThresholdBps: 100, WindowSteps: 1, PauseSteps: pauseSteps, GraceSteps: graceSteps, Hf095), sequencerSentinel: true);
            // The model's trigger (the sequencer outage) is a > 1 % oracle move in round 0; flat afterwards.
            var moved = S.Assets.ToDictionary(a => a.Address, a => a.Symbol == "WETH" ? a.PriceUsd * 80 / 100 : a.PriceUsd);
            var history = new List<IReadOnlyDictionary<Address, BigInteger>>();

            var t0 = await Node.LatestTimestampAsync() + 12;
            var seen = new List<string>();
            for (var k = 0; k < pauseSteps + graceSteps + 2; k++)
            {
                await Node.Rpc.CallAsync("evm_setNextBlockTimestamp", t0 + (k + 1) * stepSeconds);
                var down = k < pauseSteps;
                await SendAsync(Admin, sequencer, Calldata("setAnswer(bool,uint256)", down, down ? t0 : t0 + pauseSteps * stepSeconds), "setAnswer");
                var block = AnvilRpc.Hex(await Node.BlockNumberAsync());

                var hfs = await HealthFactorsAsync([between!, below!], block);
                history.Add(moved);
                var context = new CircuitBreakerContext(k, S, moved, moved, history);
                var proposed = new[] { between!, below! }.Select(a => new ProposedLiquidation(k, ProtocolNames.AaveV3, "fixture", Address.Parse(a), hfs[a])).ToList();
                var permitted = breaker.Permit(context, proposed).Select(p => p.Account.Value).ToHashSet();
                foreach (var user in new[] { between!, below! })
                {
                    Assert.True(hfs[user] < FixedPointWad, $"round {k}: {user} has HF {hfs[user]}, not liquidatable: the test lost its premise");
                    var allowedOnChain = await LiquidationAllowedAsync(pool, weth, usdc, user, liquidator, block);
                    Assert.True(allowedOnChain == permitted.Contains(user),
                        $"round {k} ({breaker.State(context)}), HF {hfs[user]}: chain says {(allowedOnChain ? "allowed" : "reverts 59")}, model says {(permitted.Contains(user) ? "allowed" : "held back")}");
                    seen.Add($"{k}:{(user == below ? "low" : "mid")}:{(allowedOnChain ? 1 : 0)}");
                }
            }
            // The premise of the comparison: the HF < 0.95 borrower is always liquidatable, the other only after the grace.
            for (var k = 0; k < pauseSteps + graceSteps + 2; k++)
            {
                Assert.Contains($"{k}:low:1", seen);
                Assert.Contains($"{k}:mid:{(k >= pauseSteps + graceSteps ? 1 : 0)}", seen);
            }
        }
        finally { Assert.True(await Node.RevertAsync(snapshotId)); }
    }

    private static readonly BigInteger FixedPointWad = BigInteger.Pow(10, 18);

    private async Task<Dictionary<string, BigInteger>> HealthFactorsAsync(IReadOnlyList<string> users, string block)
    {
        var pool = chain.Server.Manifest.AaveV3()[0].Pool;
        var result = new Dictionary<string, BigInteger>();
        foreach (var user in users)
        {
            var hex = (await Node.Rpc.CallAsync("eth_call", new JsonObject { ["to"] = pool, ["data"] = Calldata("getUserAccountData(address)", user) }, block)).GetString()!;
            result[user] = AnvilRpc.Quantity("0x" + hex[2..][(5 * 64)..(6 * 64)]);
        }
        return result;
    }

    /// <summary>
    /// <c>liquidationCall(WETH, USDC, user, max, false)</c> as an eth_call by a liquidator whose USDC balance and allowance
    /// come from a state override (MintableERC20: _balances slot 0, _allowances slot 1). True if it goes through; a revert
    /// other than the sentinel's '59' fails the test.
    /// </summary>
    private async Task<bool> LiquidationAllowedAsync(string pool, string collateral, string debt, string user, string liquidator, string block)
    {
        var tx = new JsonObject
        {
            ["from"] = liquidator, ["to"] = pool, ["gas"] = "0x1c9c380",
            ["data"] = Calldata("liquidationCall(address,address,address,uint256,bool)", collateral, debt, user, UInt256Max, false),
        };
        var big = "0x" + (BigInteger.One << 200).ToString("x").PadLeft(64, '0');
        var overrides = new JsonObject
        {
            [debt] = new JsonObject { ["stateDiff"] = new JsonObject { [MappingSlot(liquidator, 0)] = big, [MappingSlot(pool, MappingSlot(liquidator, 1))] = big } },
        };
        try
        {
            await Node.Rpc.CallAsync("eth_call", tx, block, overrides);
            return true;
        }
        catch (DefiRiskException ex)
        {
            // Error(string) "59" = PRICE_ORACLE_SENTINEL_CHECK_FAILED; the data carries its ABI encoding (…02 3539…).
            Assert.True(ex.Message.Contains("3539000000", StringComparison.Ordinal) || ex.Message.Contains("reverted: 59", StringComparison.Ordinal),
                $"liquidationCall of {user} reverted for another reason: {ex.Message}");
            return false;
        }
    }

    private static string MappingSlot(string key, BigInteger slot) => MappingSlot(key, "0x" + slot.ToString("x").PadLeft(64, '0'));

    private static string MappingSlot(string key, string slotHex)
    {
        var data = new byte[64];
        key.HexToByteArray().CopyTo(data, 12);
        slotHex.HexToByteArray().CopyTo(data, 32);
        return Sha3Keccack.Current.CalculateHash(data).ToHex(true);
    }

    private async Task<string> SendAsync(string from, string to, string data, string label)
    {
        var tx = new JsonObject { ["from"] = from, ["data"] = data, ["gas"] = "0x7a1200" };
        if (to.Length > 0) tx["to"] = to;
        // The fixture's actors were funded with fee-free transactions; give the sender gas money on this node.
        await Node.SetBalanceAsync(from, BigInteger.Pow(10, 21));
        var hash = (await Node.Rpc.CallAsync("eth_sendTransaction", tx)).GetString()!;
        var receipt = await Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; i < 50 && receipt.ValueKind != JsonValueKind.Object; i++)
        {
            await Task.Delay(20);
            receipt = await Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        Assert.True(receipt.ValueKind == JsonValueKind.Object && AnvilRpc.Quantity(receipt.GetProperty("status")) == 1, $"{label} failed: {receipt}");
        return receipt.TryGetProperty("contractAddress", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : hash;
    }

    // The harness's Abi helper is internal to DefiRisk.Chain: the same two lines here, with Nethereum's encoder.
    private static string Calldata(string signature, params object[] args) =>
        "0x" + Sha3Keccack.Current.CalculateHash(signature)[..8] + Encode(signature, args);

    private static string Creation(string bytecode, string constructorTypes, params object[] args) => "0x" + bytecode + Encode(constructorTypes, args);

    private static string Encode(string signature, object[] args)
    {
        var inner = signature[(signature.IndexOf('(') + 1)..signature.LastIndexOf(')')];
        var types = inner.Length == 0 ? [] : inner.Split(',');
        return Convert.ToHexString(new Nethereum.ABI.ABIEncode().GetABIEncoded(types.Select((t, i) => new Nethereum.ABI.ABIValue(t, args[i])).ToArray())).ToLowerInvariant();
    }

    private Task<string> DeployAsync(string bytecode, string constructorTypes, params object[] args) =>
        SendAsync(Admin, "", Creation(bytecode, constructorTypes, args), "deploy");
}
