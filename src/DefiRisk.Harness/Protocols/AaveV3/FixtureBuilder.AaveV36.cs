using System.Numerics;
using DefiRisk.Core;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Util;
using static DefiRisk.Harness.FixtureMessages;

namespace DefiRisk.Harness;

/// <summary>Which Aave v3 release a fixture deploys.</summary>
public enum AaveVersion
{
    /// <summary><c>@aave/core-v3</c> 1.19.3 hardhat artifacts (v3.0.x, <c>POOL_REVISION</c> 1): the bundled demo and older deployments.</summary>
    V3_0,
    /// <summary><c>@aave-dao/aave-v3-origin</c> 3.6.0 compiled from source (<c>POOL_REVISION</c> 10): the mainnet line.</summary>
    V3_6,
}

/// <summary>Aave v3.6 in the fixture: the deployment of LOCAL-CHAIN §8 and the reserve that only an e-mode makes collateral.</summary>
public sealed partial class FixtureBuilder
{
    /// <summary>
    /// 3.6 only: an LST whose base LTV and LT are 0 (not collateral outside an e-mode) and which e-mode 1 lists as
    /// collateral: v3.6's "collateral only in e-mode" (docs/3.6 "eMode Improvements"). Priced by a MockAggregator.
    /// </summary>
    internal static readonly ReserveSpec EModeOnlyReserve = new("weETH", "Wrapped eETH", 18, 0, 0, 0, 1500, 2650m);

    /// <summary>Every reserve any version lists, in listing order (3.0 lists the first five; 3.6 all).</summary>
    internal static readonly ReserveSpec[] AllReserves = [.. Reserves, EModeOnlyReserve, IsolatedReserve, DrainedReserve];

    /// <summary>CLI spelling: "3.0", "3.6".</summary>
    public static string AaveVersionName(AaveVersion version) => version == AaveVersion.V3_0 ? "3.0" : "3.6";

    /// <summary>The releases a fixture build can choose between: <c>--aave 3.6|3.0</c> (default 3.6; the bundled fixtures are 3.0).</summary>
    public static IReadOnlyList<FixtureReleaseChoice> ReleaseChoices { get; } =
    [
        new("--aave", "aave", "Aave",
            "Aave v3 release to deploy: 3.6 (@aave-dao/aave-v3-origin 3.6.0 compiled with solc 0.8.27, the mainnet line) or 3.0 (@aave/core-v3 1.19.3).",
            ["3.0", "3.6"], "3.6", (options, value) => options with { Aave = ParseAaveVersion(value) }, options => AaveVersionName(options.Aave)),
        new("--uniswap-v3", "uniswapV3", "Uniswap v3",
            "Uniswap v3 pools beside the v2 pairs: none, or pools (wstETH/USDC 0.05 %, WBTC/WETH 0.3 %, DAI/USDC 0.01 % from @uniswap/v3-core 1.0.1, several positions each, depth by profile).",
            ["none", "pools"], "none", ApplyUniswapV3Choice, options => options.UniswapV3Pools is { Count: > 0 } ? "pools" : "none"),
    ];

    public static AaveVersion ParseAaveVersion(string text) => text switch
    {
        "3.0" => AaveVersion.V3_0,
        "3.6" => AaveVersion.V3_6,
        _ => throw new DefiRiskException($"--aave '{text}' is not one of: 3.0, 3.6"),
    };

    /// <summary>
    /// LOCAL-CHAIN §8's order: libraries → PoolAddressesProvider + setACLAdmin → ACLManager + admins → rate strategy →
    /// PoolInstance + setPoolImpl → PoolConfiguratorInstance + setPoolConfiguratorImpl → oracle, data provider → token
    /// implementations → initReserves → risk parameters → e-mode 1 through the 3.2+ bitmap setters.
    /// </summary>
    private async Task DeployAaveV36Async(ChainWriter chain, IReadOnlyDictionary<string, ContractArtifact> aave, Deployed d)
    {
        const long bigDeploy = 15_000_000;
        var libraries = new Dictionary<string, string>();
        foreach (var name in AaveV36Compiler.Libraries)
            libraries[$"{AaveV36Compiler.LogicPath}{name}.sol:{name}"] = await chain.DeployAsync(Admin, "0x" + aave[name].LinkedBytecode(libraries), name, bigDeploy).ConfigureAwait(false);

        d.Provider = await chain.DeployAsync(Admin, Abi.Deploy(aave["PoolAddressesProvider"].Bytecode, "(string,address)", "DefiRisk Fixture", Admin), "PoolAddressesProvider").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setACLAdmin(address)", Admin), "setACLAdmin").ConfigureAwait(false);
        d.Acl = await chain.DeployAsync(Admin, Abi.Deploy(aave["ACLManager"].Bytecode, "(address)", d.Provider), "ACLManager").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setACLManager(address)", d.Acl), "setACLManager").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Acl, Abi.Call("addPoolAdmin(address)", Admin), "addPoolAdmin").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Acl, Abi.Call("addEmergencyAdmin(address)", Admin), "addEmergencyAdmin").ConfigureAwait(false);

        // One immutable rate strategy for every reserve; each reserve's curve is set by initReserves' interestRateData.
        var strategy = await chain.DeployAsync(Admin, Abi.Deploy(aave["DefaultReserveInterestRateStrategyV2"].Bytecode, "(address)", d.Provider), "DefaultReserveInterestRateStrategyV2").ConfigureAwait(false);
        var poolImpl = await chain.DeployAsync(Admin, Abi.Deploy(aave["PoolInstance"].LinkedBytecode(libraries), "(address,address)", d.Provider, strategy), "PoolInstance implementation", bigDeploy).ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolImpl(address)", poolImpl), "setPoolImpl").ConfigureAwait(false);
        var configuratorImpl = await chain.DeployAsync(Admin, "0x" + aave["PoolConfiguratorInstance"].LinkedBytecode(libraries), "PoolConfiguratorInstance implementation", bigDeploy).ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolConfiguratorImpl(address)", configuratorImpl), "setPoolConfiguratorImpl").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        d.AaveStartBlock = await chain.Node.BlockNumberAsync().ConfigureAwait(false);
        d.Pool = Abi.AddressAt(await chain.CallAsync(d.Provider, Abi.Call("getPool()")).ConfigureAwait(false), 0);
        d.Configurator = Abi.AddressAt(await chain.CallAsync(d.Provider, Abi.Call("getPoolConfigurator()")).ConfigureAwait(false), 0);

        var assets = d.Listed.Select(r => d.Tokens[r.Symbol]).ToList();
        var sources = d.Listed.Select(r => d.Feeds[r.Symbol]).ToList();
        d.Oracle = await chain.DeployAsync(Admin, Abi.Deploy(aave["AaveOracle"].Bytecode, "(address,address[],address[],address,address,uint256)",
            d.Provider, assets, sources, AddressUtil.ZERO_ADDRESS, AddressUtil.ZERO_ADDRESS, new BigInteger(100_000_000)), "AaveOracle").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPriceOracle(address)", d.Oracle), "setPriceOracle").ConfigureAwait(false);
        d.DataProvider = await chain.DeployAsync(Admin, Abi.Deploy(aave["AaveProtocolDataProvider"].Bytecode, "(address)", d.Provider), "AaveProtocolDataProvider").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolDataProvider(address)", d.DataProvider), "setPoolDataProvider").ConfigureAwait(false);
        // Token implementations take the Pool proxy; no rewards controller; the admin is the treasury.
        var aTokenImpl = await chain.DeployAsync(Admin, Abi.Deploy(aave["ATokenInstance"].Bytecode, "(address,address,address)", d.Pool, AddressUtil.ZERO_ADDRESS, Admin), "ATokenInstance implementation").ConfigureAwait(false);
        var variableImpl = await chain.DeployAsync(Admin, Abi.Deploy(aave["VariableDebtTokenInstance"].Bytecode, "(address,address)", d.Pool, AddressUtil.ZERO_ADDRESS), "VariableDebtTokenInstance implementation").ConfigureAwait(false);

        // Rates in bps, the same curve as the 3.0 fixture: optimal usage 80 %, base 0, slopes 4 % / 75 %.
        var rateData = Convert.FromHexString(Abi.Encode(["uint16", "uint32", "uint32", "uint32"], [8000, 0, 400, 7500]));
        var init = new InitReservesV36Function
        {
            Input = d.Listed.Select(r => new InitReserveV36Input
            {
                ATokenImpl = aTokenImpl, VariableDebtTokenImpl = variableImpl, UnderlyingAsset = d.Tokens[r.Symbol],
                ATokenName = $"Aave {r.Symbol}", ATokenSymbol = $"a{r.Symbol}",
                VariableDebtTokenName = $"Variable Debt {r.Symbol}", VariableDebtTokenSymbol = $"variableDebt{r.Symbol}",
                InterestRateData = rateData,
            }).ToList(),
        };
        await chain.SendAsync(Admin, d.Configurator, Data(init), "initReserves", gas: 40_000_000).ConfigureAwait(false);

        foreach (var r in d.Listed)
        {
            var asset = d.Tokens[r.Symbol];
            // The e-mode-only reserve keeps the base LTV/LT/bonus of 0 it was listed with, and is not borrowable.
            if (r.LiquidationThreshold != 0)
            {
                await chain.SendAsync(Admin, d.Configurator, Abi.Call("configureReserveAsCollateral(address,uint256,uint256,uint256)", asset, r.Ltv, r.LiquidationThreshold, r.LiquidationBonus), $"configureReserveAsCollateral {r.Symbol}").ConfigureAwait(false);
                await chain.SendAsync(Admin, d.Configurator, Abi.Call("setReserveBorrowing(address,bool)", asset, true), $"setReserveBorrowing {r.Symbol}").ConfigureAwait(false);
            }
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setReserveFactor(address,uint256)", asset, r.ReserveFactor), $"setReserveFactor {r.Symbol}").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setLiquidationProtocolFee(address,uint256)", asset, LiquidationProtocolFee), $"setLiquidationProtocolFee {r.Symbol}").ConfigureAwait(false);
        }
        // E-mode 1 "ETH correlated": WETH, wstETH and the e-mode-only LST are collateral; WETH is borrowable.
        await chain.SendAsync(Admin, d.Configurator, Abi.Call("setEModeCategory(uint8,uint16,uint16,uint16,string)", EModeId, EModeLtv, EModeLt, EModeBonus, "ETH correlated"), "setEModeCategory").ConfigureAwait(false);
        foreach (var symbol in new[] { "WETH", "wstETH", EModeOnlyReserve.Symbol })
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setAssetCollateralInEMode(address,uint8,bool)", d.Tokens[symbol], EModeId, true), $"setAssetCollateralInEMode {symbol}").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Configurator, Abi.Call("setAssetBorrowableInEMode(address,uint8,bool)", d.Tokens["WETH"], EModeId, true), "setAssetBorrowableInEMode WETH").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);

        foreach (var r in d.Listed)
        {
            var tokens = await chain.CallAsync(d.DataProvider, Abi.Call("getReserveTokensAddresses(address)", d.Tokens[r.Symbol])).ConfigureAwait(false);
            d.AaveTokens[r.Symbol] = (Abi.AddressAt(tokens, 0), Abi.AddressAt(tokens, 1), Abi.AddressAt(tokens, 2));
        }
    }

    /// <summary>v3.6 <c>ConfiguratorInputTypes.InitReserveInput</c>: no stable-debt token, no strategy or treasury per reserve
    /// (both are immutables of the Pool and the aToken), and the rate curve as <c>abi.encode(InterestRateData)</c>.</summary>
    internal sealed class InitReserveV36Input
    {
        [Parameter("address", "aTokenImpl", 1)] public string ATokenImpl { get; set; } = "";
        [Parameter("address", "variableDebtTokenImpl", 2)] public string VariableDebtTokenImpl { get; set; } = "";
        [Parameter("address", "underlyingAsset", 3)] public string UnderlyingAsset { get; set; } = "";
        [Parameter("string", "aTokenName", 4)] public string ATokenName { get; set; } = "";
        [Parameter("string", "aTokenSymbol", 5)] public string ATokenSymbol { get; set; } = "";
        [Parameter("string", "variableDebtTokenName", 6)] public string VariableDebtTokenName { get; set; } = "";
        [Parameter("string", "variableDebtTokenSymbol", 7)] public string VariableDebtTokenSymbol { get; set; } = "";
        [Parameter("bytes", "params", 8)] public byte[] Params { get; set; } = [];
        [Parameter("bytes", "interestRateData", 9)] public byte[] InterestRateData { get; set; } = [];
    }

    [Function("initReserves")]
    internal sealed class InitReservesV36Function : FunctionMessage
    {
        [Parameter("tuple[]", "input", 1)] public List<InitReserveV36Input> Input { get; set; } = [];
    }
}
