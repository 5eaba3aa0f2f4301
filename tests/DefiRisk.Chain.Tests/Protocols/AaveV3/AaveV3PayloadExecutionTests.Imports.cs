using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>Payloads that import the project's npm packages, as BGD's payloads import aave-v3-origin's interfaces.</summary>
public sealed partial class AaveV3PayloadExecutionTests
{
    [Fact]
    public async Task A_payload_importing_aave_v3_origins_interfaces_from_npm_compiles_and_runs_like_the_one_declaring_its_own()
    {
        var file = Path.Combine(chain.TempDir, "npm-import-payload.sol");
        await File.WriteAllTextAsync(file, """
            pragma solidity ^0.8.0;
            import {IPoolConfigurator} from '@aave-dao/aave-v3-origin/src/contracts/interfaces/IPoolConfigurator.sol';
            import {IPool} from '@aave-dao/aave-v3-origin/src/contracts/interfaces/IPool.sol';
            contract NpmImportPayload {
                IPoolConfigurator public immutable CONFIGURATOR;
                IPool public immutable POOL;
                address public immutable WETH;
                constructor(address configurator, address pool, address weth) { CONFIGURATOR = IPoolConfigurator(configurator); POOL = IPool(pool); WETH = weth; }
                function execute() external {
                    // Reads through the imported IPool, writes through the imported IPoolConfigurator: WETH to 75 % / 78 %, bonus kept.
                    require(POOL.getReservesList().length > 0, "no reserves");
                    CONFIGURATOR.configureReserveAsCollateral(WETH, 7500, 7800, 10500);
                }
            }
            """);
        var manifest = chain.Server.Manifest;
        var headBefore = await HeadAsync(chain.Server.Node);
        var prepared = await GovernancePayloads.PrepareAsync(manifest, [file]);
        Assert.Equal("NpmImportPayload", Assert.Single(prepared).Name);
        string withImports, declared;
        await using (var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, prepared))
            withImports = string.Join("\n", (await NodeStateAsync([])).Configurations);
        await using (var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, await GovernancePayloads.PrepareAsync(manifest, [Fixtures("aave-lt-cut-payload.sol")])))
            declared = string.Join("\n", (await NodeStateAsync([])).Configurations);
        Assert.Equal(declared, withImports);
        Assert.NotEqual(string.Join("\n", (await NodeStateAsync([])).Configurations), withImports);
        Assert.Equal(headBefore, await HeadAsync(chain.Server.Node));

        // A package the project does not have: one line naming the payload's file and line.
        var missing = Path.Combine(chain.TempDir, "missing-import-payload.sol");
        await File.WriteAllTextAsync(missing, "pragma solidity ^0.8.0;\nimport {X} from '@nobody/nothing/X.sol';\ncontract P { function execute() external {} }\n");
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => GovernancePayloads.PrepareAsync(manifest, [missing]));
        output.WriteLine(ex.Message);
        Assert.Contains("missing-import-payload.sol:2:", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task A_payload_pinned_to_solc_0_8_19_compiles_with_the_installed_0_8_19_and_runs_like_the_example()
    {
        var file = Path.Combine(chain.TempDir, "pinned-payload.sol");
        var source = await File.ReadAllTextAsync(Fixtures("aave-lt-cut-payload.sol"));
        await File.WriteAllTextAsync(file, source.Replace("pragma solidity ^0.8.0;", "pragma solidity 0.8.19;").Replace("AaveLtCutPayload", "PinnedLtCutPayload"));
        var manifest = chain.Server.Manifest;
        var pinned = Assert.Single(await GovernancePayloads.PrepareAsync(manifest, [file]));
        var example = Assert.Single(await GovernancePayloads.PrepareAsync(manifest, [Fixtures("aave-lt-cut-payload.sol")]));
        Assert.NotEqual(example.Code.Creation, pinned.Code.Creation); // another compiler (0.8.19, paris), other bytecode
        string a, b;
        await using (var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, [pinned]))
            a = string.Join("\n", (await NodeStateAsync([])).Configurations);
        await using (var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, [example]))
            b = string.Join("\n", (await NodeStateAsync([])).Configurations);
        Assert.Equal(b, a);
    }
}
