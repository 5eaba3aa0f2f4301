using System.Diagnostics;
using System.IO.Compression;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;
using Nethereum.ABI;
using Nethereum.Util;
using static DefiRisk.Harness.FixtureMessages;

namespace DefiRisk.Harness;

/// <summary>
/// Which population and pool depths to build. The contracts, reserves and markets are the same in every profile.
/// </summary>
public enum FixtureProfile
{
    /// <summary><c>fixtures/demo</c>: 400 borrowers, shallow pools; rebuilt byte for byte by the tests.</summary>
    Demo,
    /// <summary><c>fixtures/mainnet-like</c>: thousands of borrowers with a whale-heavy size distribution, health
    /// factors dense just above 1, and DEX depth that a liquidation cascade moves (FixtureBuilder.MainnetLike.cs).</summary>
    MainnetLike,
}

/// <summary>What to build: profile, borrower count, generator seed, and the anvil it runs on.</summary>
public sealed record FixtureBuildOptions
{
    public FixtureProfile Profile { get; init; } = FixtureProfile.Demo;
    public int Borrowers { get; init; } = 400;
    public int Seed { get; init; } = 42;
    /// <summary>Port of the build's own anvil (0: a free one).</summary>
    public int Port { get; init; }
    public long ChainId { get; init; } = 31337;
    /// <summary>Genesis timestamp (unix seconds); fixed so that the same seed gives the same chain.</summary>
    public long GenesisTimestamp { get; init; } = 1_750_000_000;
    /// <summary>Which Aave v3 to deploy: 3.6 (the mainnet line, compiled from source) unless 3.0 is asked for.</summary>
    public AaveVersion Aave { get; init; } = AaveVersion.V3_6;
    /// <summary>Uniswap v3 pools to deploy beside the v2 pairs (FixtureBuilder.UniswapV3.cs); null: none (the bundled fixtures).</summary>
    public IReadOnlyList<FixtureV3PoolSpec>? UniswapV3Pools { get; init; }

    /// <summary>When set, the market feeds get a round history behind phased proxies (<see cref="FixtureFeedHistory"/>).</summary>
    public FeedHistorySpec? FeedHistory { get; init; }
}

/// <summary>
/// The built fixture, not yet written: the manifest, and anvil's canonical state JSON at the saved block in a temporary
/// file (<paramref name="StatePath"/>; GBs for 100,000 borrowers, so never in memory). <see cref="WriteTo"/> moves it
/// into the fixture; <see cref="Dispose"/> deletes it when it was never written.
/// </summary>
public sealed record FixtureBuild(DeploymentManifest Manifest, FixtureFacts Facts, string StatePath, TimeSpan Elapsed, bool CompiledSolidity, FixtureHealthSummary Health) : IDisposable
{
    /// <summary>Above this size the state is written gzip-compressed (<c>state.json.gz</c>).</summary>
    public const long PlainStateLimit = 5 * 1024 * 1024;

    /// <summary>Writes <c>manifest.json</c> and <c>state.json</c> (or <c>state.json.gz</c>) and deletes the temporary state
    /// (so once only); returns the state file path.</summary>
    public string WriteTo(string directory)
    {
        if (!File.Exists(StatePath)) throw new InvalidOperationException($"the built state {StatePath} was already written or disposed");
        Directory.CreateDirectory(directory);
        var gzip = new FileInfo(StatePath).Length > PlainStateLimit;
        var stateName = gzip ? FixtureServer.StateGzip : FixtureServer.StateJson;
        var statePath = Path.Combine(directory, stateName);
        foreach (var stale in new[] { FixtureServer.StateGzip, FixtureServer.StateJson })
            if (stale != stateName && File.Exists(Path.Combine(directory, stale))) File.Delete(Path.Combine(directory, stale));
        if (gzip)
        {
            using var input = new FileStream(StatePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var file = File.Create(statePath);
            using var gz = new GZipStream(file, CompressionLevel.SmallestSize);
            input.CopyTo(gz, 1 << 20);
        }
        else
        {
            File.Copy(StatePath, statePath, overwrite: true);
        }
        File.Delete(StatePath);
        var facts = Facts with { StateFile = stateName };
        (Manifest with { Fixture = facts.ToJsonObject() }).Save(Path.Combine(directory, FixtureServer.ManifestFile));
        return statePath;
    }

    public void Dispose() => File.Delete(StatePath);
}

/// <summary>Aave health factors of the fixture's borrowers at the saved block (from Pool.getUserAccountData).</summary>
public sealed record FixtureHealthSummary(int AaveBorrowers, int MorphoBorrowers, int CrossProtocol, int AaveBelowOne, int AaveBelow1_1, double AaveMinimum, double AaveMedian, double AaveMaximum);

/// <summary>
/// Builds the bundled fixture on a private anvil: deploys the real Aave v3 (npm <c>@aave/core-v3</c>
/// artifacts, libraries linked), Morpho Blue (compiled from <c>@morpho-org/morpho-blue</c>) and Uniswap v2
/// (<c>@uniswap/v2-core</c> build) bytecode following LOCAL-CHAIN.md, lists five reserves, four Morpho
/// markets and three pairs, opens seeded borrower positions, sets the final prices and dumps the state.
/// Deterministic: a fixed genesis timestamp, explicit block timestamps, fifo tx order and a seeded generator.
/// </summary>
public sealed partial class FixtureBuilder
{
    /// <summary>The most borrowers one fixture may have (100,000).</summary>
    public const int MaxBorrowers = 100_000;

    /// <summary>Listed assets with mainnet-like risk parameters (bps) and the final USD price.</summary>
    internal sealed record ReserveSpec(string Symbol, string Name, int Decimals, int Ltv, int LiquidationThreshold, int LiquidationBonus, int ReserveFactor, decimal PriceUsd);

    internal static readonly ReserveSpec[] Reserves =
    [
        new("WETH", "Wrapped Ether", 18, 8050, 8300, 10500, 1500, 2500m),
        new("WBTC", "Wrapped BTC", 8, 7300, 7800, 10500, 2000, 60000m),
        new("wstETH", "Wrapped liquid staked Ether 2.0", 18, 7850, 8100, 10600, 1500, 2950m),
        new("USDC", "USD Coin", 6, 7700, 8000, 10450, 1000, 1m),
        new("DAI", "Dai Stablecoin", 18, 6300, 7700, 10500, 1000, 1m),
    ];

    /// <summary>Liquidation protocol fee of every reserve, bps of the bonus.</summary>
    internal const int LiquidationProtocolFee = 1000;
    /// <summary>E-mode category 1 "ETH correlated": LTV, LT, bonus (bps).</summary>
    internal const int EModeId = 1, EModeLtv = 9300, EModeLt = 9500, EModeBonus = 10100;
    /// <summary>stETH per wstETH at the saved block (wad).</summary>
    internal static readonly BigInteger FinalRatio = BigInteger.Parse("1180000000000000000");

    /// <summary>Morpho markets: collateral, loan, LLTV (wad).</summary>
    internal static readonly (string Collateral, string Loan, BigInteger Lltv)[] MorphoMarketSpecs =
    [
        ("WETH", "USDC", Wad(0.86m)),
        ("wstETH", "USDC", Wad(0.86m)),
        ("wstETH", "WETH", Wad(0.945m)),
        ("WBTC", "USDC", Wad(0.86m)),
    ];

    /// <summary>Uniswap v2 pairs (base/quote) and the base-side depth in whole tokens; the quote side is at the oracle price.</summary>
    internal static readonly (string Base, string Quote, decimal BaseDepth)[] DemoPairSpecs =
    [
        ("WETH", "USDC", 5000m),
        ("WBTC", "USDC", 150m),
        ("wstETH", "WETH", 3000m),
    ];

    private const string AavePool = "contracts/protocol/pool/";
    private const string AaveLogic = "contracts/protocol/libraries/logic/";

    private readonly FixtureBuildOptions _options;
    private readonly NodeModules _nodeModules;
    private readonly IProgress<string>? _progress;

    public FixtureBuilder(FixtureBuildOptions options, NodeModules? nodeModules = null, IProgress<string>? progress = null)
    {
        if (options.Borrowers < 1) throw new DefiRiskException("--borrowers must be at least 1");
        // Each borrower costs a few transactions and a slice of the saved state; beyond this a fixture stops being one.
        if (options.Borrowers > MaxBorrowers)
            throw new DefiRiskException($"--borrowers {options.Borrowers} is more than a fixture holds (at most {MaxBorrowers:N0})");
        _options = options;
        PairSpecs = options.Profile == FixtureProfile.MainnetLike ? MainnetLikePairSpecs : DemoPairSpecs;
        ListedReserves = options.Aave == AaveVersion.V3_6 ? AllReserves : Reserves;
        _nodeModules = nodeModules ?? NodeModules.Locate();
        _progress = progress;
    }

    /// <summary>The Aave reserves of this build's version, in listing order (3.6 adds <see cref="EModeOnlyReserve"/>).</summary>
    internal ReserveSpec[] ListedReserves { get; }

    /// <summary>The pairs of this build's profile, in deployment order.</summary>
    internal (string Base, string Quote, decimal BaseDepth)[] PairSpecs { get; }

    /// <summary>CLI spelling of a profile: "demo", "mainnet-like".</summary>
    public static string ProfileName(FixtureProfile profile) => profile == FixtureProfile.MainnetLike ? "mainnet-like" : "demo";

    public static FixtureProfile ParseProfile(string text) => text switch
    {
        "demo" => FixtureProfile.Demo,
        "mainnet-like" => FixtureProfile.MainnetLike,
        _ => throw new DefiRiskException($"--profile '{text}' is not one of: demo, mainnet-like"),
    };

    /// <summary>Borrower count when none is given: 400 (demo), 3,000 (mainnet-like).</summary>
    public static int DefaultBorrowers(FixtureProfile profile) => profile == FixtureProfile.MainnetLike ? 3000 : 400;

    private static string Admin => AnvilNode.DefaultAccounts[0];
    private static string Lender => AnvilNode.DefaultAccounts[1];
    private static string Liquidator => AnvilNode.DefaultAccounts[2];
    private static string Funder => AnvilNode.DefaultAccounts[3];

    private void Report(string milestone) => _progress?.Report(milestone);

    public async Task<FixtureBuild> BuildAsync(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        Report("compiling Morpho Blue and fixture contracts (solc 0.8.19, cached)");
        var compiler = new SolidityCompiler(_nodeModules);
        var compiled = await compiler.CompileFixtureContractsAsync(ct).ConfigureAwait(false);
        IReadOnlyDictionary<string, ContractArtifact>? aave36 = null;
        var aaveCompiled = false;
        if (_options.Aave == AaveVersion.V3_6)
        {
            Report($"compiling Aave v3.6 ({AaveV36Compiler.Package}, solc {AaveV36Compiler.SolcVersion}, cached)");
            var aaveCompiler = new AaveV36Compiler(_nodeModules);
            aave36 = await aaveCompiler.CompileAsync(ct).ConfigureAwait(false);
            aaveCompiled = aaveCompiler.Compiled;
            Report($"Aave v3.6: {aaveCompiler.SourceCount} source files, {(aaveCompiled ? "compiled" : "from the cache")}");
        }

        Report("starting anvil");
        await using var node = await AnvilNode.StartAsync(new AnvilOptions
        {
            ChainId = _options.ChainId,
            Port = _options.Port,
            Timestamp = _options.GenesisTimestamp,
            NoMining = true,
            AutoImpersonate = true,
            GasLimit = 100_000_000_000,
            BaseFee = 0,
            Order = "fifo",
            PruneHistory = true,
        }, _nodeModules, ct).ConfigureAwait(false);
        var chain = new ChainWriter(node, _options.GenesisTimestamp);
        var d = new Deployed(ListedReserves);

        Report("deploying tokens and price feeds");
        await DeployTokensAndFeedsAsync(chain, compiled, d).ConfigureAwait(false);
        if (aave36 is null)
        {
            Report("deploying Aave v3.0");
            await DeployAaveAsync(chain, d).ConfigureAwait(false);
        }
        else
        {
            Report("deploying Aave v3.6");
            await DeployAaveV36Async(chain, aave36, d).ConfigureAwait(false);
        }
        Report("deploying Morpho Blue");
        await DeployMorphoAsync(chain, compiled, d).ConfigureAwait(false);
        Report("deploying Uniswap v2 pairs");
        await DeployUniswapAsync(chain, d).ConfigureAwait(false);
        if (V3PoolSpecs.Count > 0)
        {
            Report($"deploying {V3PoolSpecs.Count} Uniswap v3 pools");
            await DeployUniswapV3Async(chain, d, ct).ConfigureAwait(false);
        }
        ct.ThrowIfCancellationRequested();

        var plans = _options.Profile == FixtureProfile.MainnetLike
            ? GenerateMainnetLikeBorrowers(_options.Seed, _options.Borrowers, d.MorphoMarkets.Count, _options.Aave == AaveVersion.V3_6)
            : GenerateBorrowers(_options.Seed, _options.Borrowers, d.MorphoMarkets.Count, _options.Aave == AaveVersion.V3_6);
        Report($"opening positions for {plans.Count} borrowers");
        await SupplyLiquidityAsync(chain, d, plans).ConfigureAwait(false);
        // 3.6: the borrower enters e-mode before its collateral arrives, so that collateral which is collateral only in
        // the e-mode (base LTV 0) is enabled by the supply (ValidationLogic.validateAutomaticUseAsCollateral).
        await OpenPositionsAsync(chain, d, plans, eModeFirst: _options.Aave == AaveVersion.V3_6, Report, ct).ConfigureAwait(false);
        if (_options.Aave == AaveVersion.V3_6) await OpenAaveV36CasesAsync(chain, d).ConfigureAwait(false);

        Report("setting final prices");
        var prices = d.Prices(node);
        foreach (var r in ListedReserves.Where(r => r.Symbol != "wstETH"))
            await node.SetStorageAtAsync(d.Feeds[r.Symbol], 0, Usd8(r.PriceUsd)).ConfigureAwait(false);
        await prices.SetExchangeRatioAsync(FinalRatio).ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        if (_options.FeedHistory is { } history)
        {
            Report($"posting {history.Rounds} oracle rounds per market feed");
            await FixtureFeedHistory.InstallAsync(chain, d.Feeds, d.Tokens, "wstETH", d.ExchangeRate, compiled["ExchangeRateAggregator"].Bytecode, Admin, d.Oracle, history, ct).ConfigureAwait(false);
        }
        // Flash loans on, as every Aave listing does (setReserveFlashLoaning(asset, true); validateFlashloanSimple refuses a reserve
        // without it): last, in a block of its own at the same second, so no address, balance or index above moves.
        Report("enabling Aave flash loans");
        foreach (var r in ListedReserves)
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setReserveFlashLoaning(address,bool)", d.Tokens[r.Symbol], true), $"setReserveFlashLoaning {r.Symbol}").ConfigureAwait(false);
        await chain.MineAsync(sameSecond: true).ConfigureAwait(false);
        var block = await node.BlockNumberAsync().ConfigureAwait(false);
        var timestamp = await node.LatestTimestampAsync().ConfigureAwait(false);

        var health = await SummarizeHealthAsync(chain, d, plans).ConfigureAwait(false);
        Report($"saved block {block}: {chain.Transactions} transactions; Aave HF min {health.AaveMinimum:0.000}, median {health.AaveMedian:0.000}, {health.AaveBelow1_1} in (1, 1.1)");

        var manifest = WithUniswapV3(Manifest(d, plans, block, timestamp, chain.Transactions, health));
        Report("dumping state");
        var state = await DumpCanonicalStateAsync(node, ct).ConfigureAwait(false);
        Report($"state: {new FileInfo(state).Length / (1024 * 1024):N0} MiB of canonical JSON");
        return new FixtureBuild(manifest, FixtureFacts.From(manifest, "fixture build"), state, clock.Elapsed, compiler.Compiled || aaveCompiled, health);
    }

    /// <summary>Addresses collected while deploying.</summary>
    private sealed class Deployed(IReadOnlyList<ReserveSpec> listed)
    {
        /// <summary>The Aave reserves listed, in order.</summary>
        public IReadOnlyList<ReserveSpec> Listed => listed;
        public Dictionary<string, string> Tokens { get; } = [];
        public Dictionary<string, string> Feeds { get; } = [];
        public Dictionary<string, (string AToken, string Stable, string Variable)> AaveTokens { get; } = [];
        public string ExchangeRate { get; set; } = "";
        public string Provider { get; set; } = "";
        public string Acl { get; set; } = "";
        public string Pool { get; set; } = "";
        public string Configurator { get; set; } = "";
        public string Oracle { get; set; } = "";
        public string DataProvider { get; set; } = "";
        public long AaveStartBlock { get; set; }
        public string Morpho { get; set; } = "";
        public string Irm { get; set; } = "";
        public long MorphoStartBlock { get; set; }
        public List<FixtureMorphoMarket> MorphoMarkets { get; } = [];
        public List<MarketParams> MarketParams { get; } = [];
        public string Factory { get; set; } = "";
        public Dictionary<string, string> Pairs { get; } = [];

        public Dictionary<string, FixtureToken> TokenFacts() => listed.ToDictionary(
            r => r.Symbol,
            r => new FixtureToken(Tokens[r.Symbol], r.Decimals, AaveTokens[r.Symbol].AToken, AaveTokens[r.Symbol].Variable, AaveTokens[r.Symbol].Stable));

        public FixtureExchangeRate ExchangeRateFacts(BigInteger ratio) => new(ExchangeRate, "wstETH", "WETH", Feeds["WETH"], ratio.ToString());

        public FixturePrices Prices(AnvilNode node) => new(node, TokenFacts(), Feeds, ExchangeRateFacts(FinalRatio), MorphoMarkets);
    }

    // ---- deployment ------------------------------------------------------------------------------

    /// <summary>Prices while positions open: volatile collateral 1.5× and the wstETH ratio 1.06× the final
    /// values, so that every borrow passes Aave's LTV check and lands at its target health factor once
    /// the final prices are set (HF at the LTV limit is only LT/LTV ≈ 1.03).</summary>
    private static decimal OpeningPrice(ReserveSpec r) => r.Symbol switch
    {
        "USDC" or "DAI" => r.PriceUsd,
        // An e-mode collateral of loopers borrowing WETH: like wstETH's ratio, 6 % above its final value against WETH.
        "weETH" => r.PriceUsd * 1.5m * 1.06m,
        _ => r.PriceUsd * 1.5m,
    };
    private static readonly BigInteger OpeningRatio = FinalRatio * 106 / 100;

    private async Task DeployTokensAndFeedsAsync(ChainWriter chain, IReadOnlyDictionary<string, ContractArtifact> compiled, Deployed d)
    {
        var erc20 = ContractArtifact.Aave(_nodeModules, "contracts/mocks/tokens/MintableERC20.sol", "MintableERC20");
        var aggregator = ContractArtifact.Aave(_nodeModules, "contracts/mocks/oracle/CLAggregators/MockAggregator.sol", "MockAggregator");
        foreach (var r in d.Listed)
            d.Tokens[r.Symbol] = await chain.DeployAsync(Admin, Abi.Deploy(erc20.Bytecode, "(string,string,uint8)", r.Name, r.Symbol, r.Decimals), $"MintableERC20 {r.Symbol}").ConfigureAwait(false);
        foreach (var r in d.Listed.Where(r => r.Symbol != "wstETH"))
            d.Feeds[r.Symbol] = await chain.DeployAsync(Admin, Abi.Deploy(aggregator.Bytecode, "(int256)", Usd8(OpeningPrice(r))), $"MockAggregator {r.Symbol}").ConfigureAwait(false);
        d.ExchangeRate = await chain.DeployAsync(Admin, Abi.Deploy(compiled["ExchangeRateAggregator"].Bytecode, "(address,uint256)", d.Feeds["WETH"], OpeningRatio), "ExchangeRateAggregator wstETH").ConfigureAwait(false);
        d.Feeds["wstETH"] = d.ExchangeRate;
        await chain.MineAsync().ConfigureAwait(false);
    }

    private async Task DeployAaveAsync(ChainWriter chain, Deployed d)
    {
        ContractArtifact Art(string path, string name) => ContractArtifact.Aave(_nodeModules, path, name);

        // LOCAL-CHAIN §2 steps 1–2: ACLManager's constructor reverts '75' unless the ACL admin is set first.
        d.Provider = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/protocol/configuration/PoolAddressesProvider.sol", "PoolAddressesProvider").Bytecode, "(string,address)", "DefiRisk Fixture", Admin), "PoolAddressesProvider").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setACLAdmin(address)", Admin), "setACLAdmin").ConfigureAwait(false);
        d.Acl = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/protocol/configuration/ACLManager.sol", "ACLManager").Bytecode, "(address)", d.Provider), "ACLManager").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setACLManager(address)", d.Acl), "setACLManager").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Acl, Abi.Call("addPoolAdmin(address)", Admin), "addPoolAdmin").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Acl, Abi.Call("addEmergencyAdmin(address)", Admin), "addEmergencyAdmin").ConfigureAwait(false);

        // Step 3: logic libraries; FlashLoanLogic links BorrowLogic, so it comes last.
        var libraries = new Dictionary<string, string>();
        foreach (var name in new[] { "BorrowLogic", "BridgeLogic", "EModeLogic", "LiquidationLogic", "PoolLogic", "SupplyLogic", "ConfiguratorLogic", "FlashLoanLogic" })
        {
            var art = Art($"{AaveLogic}{name}.sol", name);
            libraries[$"{AaveLogic}{name}.sol:{name}"] = await chain.DeployAsync(Admin, "0x" + art.LinkedBytecode(libraries), name).ConfigureAwait(false);
        }

        // Steps 4–5: implementations behind proxies; only the proxies are used afterwards.
        var poolImpl = await chain.DeployAsync(Admin, Abi.Deploy(Art($"{AavePool}Pool.sol", "Pool").LinkedBytecode(libraries), "(address)", d.Provider), "Pool implementation").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolImpl(address)", poolImpl), "setPoolImpl").ConfigureAwait(false);
        var configuratorImpl = await chain.DeployAsync(Admin, "0x" + Art($"{AavePool}PoolConfigurator.sol", "PoolConfigurator").LinkedBytecode(libraries), "PoolConfigurator implementation").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolConfiguratorImpl(address)", configuratorImpl), "setPoolConfiguratorImpl").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        d.AaveStartBlock = await chain.Node.BlockNumberAsync().ConfigureAwait(false);
        d.Pool = Abi.AddressAt(await chain.CallAsync(d.Provider, Abi.Call("getPool()")).ConfigureAwait(false), 0);
        d.Configurator = Abi.AddressAt(await chain.CallAsync(d.Provider, Abi.Call("getPoolConfigurator()")).ConfigureAwait(false), 0);

        // Steps 7–10: oracle (USD, 8 decimals), data provider, token implementations (argument: the Pool proxy), rate strategy.
        var assets = Reserves.Select(r => d.Tokens[r.Symbol]).ToList();
        var sources = Reserves.Select(r => d.Feeds[r.Symbol]).ToList();
        d.Oracle = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/misc/AaveOracle.sol", "AaveOracle").Bytecode, "(address,address[],address[],address,address,uint256)",
            d.Provider, assets, sources, AddressUtil.ZERO_ADDRESS, AddressUtil.ZERO_ADDRESS, new BigInteger(100_000_000)), "AaveOracle").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPriceOracle(address)", d.Oracle), "setPriceOracle").ConfigureAwait(false);
        d.DataProvider = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/misc/AaveProtocolDataProvider.sol", "AaveProtocolDataProvider").Bytecode, "(address)", d.Provider), "AaveProtocolDataProvider").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Provider, Abi.Call("setPoolDataProvider(address)", d.DataProvider), "setPoolDataProvider").ConfigureAwait(false);
        var aTokenImpl = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/protocol/tokenization/AToken.sol", "AToken").Bytecode, "(address)", d.Pool), "AToken implementation").ConfigureAwait(false);
        var stableImpl = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/protocol/tokenization/StableDebtToken.sol", "StableDebtToken").Bytecode, "(address)", d.Pool), "StableDebtToken implementation").ConfigureAwait(false);
        var variableImpl = await chain.DeployAsync(Admin, Abi.Deploy(Art("contracts/protocol/tokenization/VariableDebtToken.sol", "VariableDebtToken").Bytecode, "(address)", d.Pool), "VariableDebtToken implementation").ConfigureAwait(false);
        // Rates in ray: optimal usage 80 %, base 0, slopes 4 % / 75 %; stable-rate values are unused (no stable borrowing).
        var strategy = await chain.DeployAsync(Admin, Abi.Deploy(Art($"{AavePool}DefaultReserveInterestRateStrategy.sol", "DefaultReserveInterestRateStrategy").Bytecode,
            "(address,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256)",
            d.Provider, Ray(0.80m), Ray(0m), Ray(0.04m), Ray(0.75m), Ray(0.02m), Ray(0.75m), Ray(0.02m), Ray(0.05m), Ray(0.20m)), "DefaultReserveInterestRateStrategy").ConfigureAwait(false);

        // Step 11: one initReserves for the five reserves (~2.3 M gas each).
        var init = new InitReservesFunction
        {
            Input = Reserves.Select(r => new InitReserveInput
            {
                ATokenImpl = aTokenImpl, StableDebtTokenImpl = stableImpl, VariableDebtTokenImpl = variableImpl,
                UnderlyingAssetDecimals = (byte)r.Decimals, InterestRateStrategyAddress = strategy, UnderlyingAsset = d.Tokens[r.Symbol],
                Treasury = Admin, IncentivesController = AddressUtil.ZERO_ADDRESS,
                ATokenName = $"Aave {r.Symbol}", ATokenSymbol = $"a{r.Symbol}",
                VariableDebtTokenName = $"Variable Debt {r.Symbol}", VariableDebtTokenSymbol = $"variableDebt{r.Symbol}",
                StableDebtTokenName = $"Stable Debt {r.Symbol}", StableDebtTokenSymbol = $"stableDebt{r.Symbol}",
            }).ToList(),
        };
        await chain.SendAsync(Admin, d.Configurator, Data(init), "initReserves", gas: 30_000_000).ConfigureAwait(false);

        // Step 12–13: risk parameters, then e-mode 1 "ETH correlated" with WETH and wstETH.
        foreach (var r in Reserves)
        {
            var asset = d.Tokens[r.Symbol];
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("configureReserveAsCollateral(address,uint256,uint256,uint256)", asset, r.Ltv, r.LiquidationThreshold, r.LiquidationBonus), $"configureReserveAsCollateral {r.Symbol}").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setReserveBorrowing(address,bool)", asset, true), $"setReserveBorrowing {r.Symbol}").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setReserveFactor(address,uint256)", asset, r.ReserveFactor), $"setReserveFactor {r.Symbol}").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setLiquidationProtocolFee(address,uint256)", asset, LiquidationProtocolFee), $"setLiquidationProtocolFee {r.Symbol}").ConfigureAwait(false);
        }
        await chain.SendAsync(Admin, d.Configurator, Abi.Call("setEModeCategory(uint8,uint16,uint16,uint16,address,string)", EModeId, EModeLtv, EModeLt, EModeBonus, AddressUtil.ZERO_ADDRESS, "ETH correlated"), "setEModeCategory").ConfigureAwait(false);
        foreach (var symbol in new[] { "WETH", "wstETH" })
            await chain.SendAsync(Admin, d.Configurator, Abi.Call("setAssetEModeCategory(address,uint8)", d.Tokens[symbol], EModeId), $"setAssetEModeCategory {symbol}").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);

        foreach (var r in Reserves)
        {
            var tokens = await chain.CallAsync(d.DataProvider, Abi.Call("getReserveTokensAddresses(address)", d.Tokens[r.Symbol])).ConfigureAwait(false);
            d.AaveTokens[r.Symbol] = (Abi.AddressAt(tokens, 0), Abi.AddressAt(tokens, 1), Abi.AddressAt(tokens, 2));
        }
    }

    private async Task DeployMorphoAsync(ChainWriter chain, IReadOnlyDictionary<string, ContractArtifact> compiled, Deployed d)
    {
        d.Morpho = await chain.DeployAsync(Admin, Abi.Deploy(compiled["Morpho"].Bytecode, "(address)", Admin), "Morpho").ConfigureAwait(false);
        d.Irm = await chain.DeployAsync(Admin, "0x" + compiled["IrmMock"].Bytecode, "IrmMock").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Morpho, Abi.Call("enableIrm(address)", d.Irm), "enableIrm").ConfigureAwait(false);
        foreach (var lltv in MorphoMarketSpecs.Select(m => m.Lltv).Distinct())
            await chain.SendAsync(Admin, d.Morpho, Abi.Call("enableLltv(uint256)", lltv), $"enableLltv {lltv}").ConfigureAwait(false);
        foreach (var (collateral, loan, lltv) in MorphoMarketSpecs)
        {
            var oracle = await chain.DeployAsync(Admin, "0x" + compiled["OracleMock"].Bytecode, $"OracleMock {collateral}/{loan}").ConfigureAwait(false);
            var mp = new MarketParams { LoanToken = d.Tokens[loan], CollateralToken = d.Tokens[collateral], Oracle = oracle, Irm = d.Irm, Lltv = lltv };
            await chain.SendAsync(Admin, d.Morpho, Data(new CreateMarketFunction { MarketParams = mp }), $"createMarket {collateral}/{loan}").ConfigureAwait(false);
            d.MarketParams.Add(mp);
            d.MorphoMarkets.Add(new FixtureMorphoMarket(MarketId(mp), $"{collateral}/{loan}", loan, collateral, mp.LoanToken, mp.CollateralToken, oracle, d.Irm, lltv.ToString()));
        }
        await chain.MineAsync().ConfigureAwait(false);
        d.MorphoStartBlock = await chain.Node.BlockNumberAsync().ConfigureAwait(false);
        // Opening prices (the USD feeds hold them now), in Morpho's 1e36 unit.
        await d.Prices(chain.Node).SyncMorphoOraclesAsync().ConfigureAwait(false);
    }

    /// <summary>Morpho's market id: keccak256(abi.encode(loanToken, collateralToken, oracle, irm, lltv)) — abi.encode, not packed (LOCAL-CHAIN §3).</summary>
    internal static string MarketId(MarketParams mp)
    {
        var encoded = new ABIEncode().GetABIEncoded(
            new ABIValue("address", mp.LoanToken), new ABIValue("address", mp.CollateralToken),
            new ABIValue("address", mp.Oracle), new ABIValue("address", mp.Irm), new ABIValue("uint256", mp.Lltv));
        return "0x" + Convert.ToHexString(Sha3Keccack.Current.CalculateHash(encoded)).ToLowerInvariant();
    }

    private async Task DeployUniswapAsync(ChainWriter chain, Deployed d)
    {
        var factory = ContractArtifact.UniswapV2(_nodeModules, "UniswapV2Factory");
        d.Factory = await chain.DeployAsync(Admin, Abi.Deploy(factory.Bytecode, "(address)", Admin), "UniswapV2Factory").ConfigureAwait(false);
        foreach (var (b, q, _) in PairSpecs)
            await chain.SendAsync(Admin, d.Factory, Abi.Call("createPair(address,address)", d.Tokens[b], d.Tokens[q]), $"createPair {b}/{q}", gas: 5_000_000).ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        foreach (var (b, q, depth) in PairSpecs)
        {
            // Never the init-code hash: ask the factory (LOCAL-CHAIN §4).
            var pair = Abi.AddressAt(await chain.CallAsync(d.Factory, Abi.Call("getPair(address,address)", d.Tokens[b], d.Tokens[q])).ConfigureAwait(false), 0);
            d.Pairs[$"{b}/{q}"] = pair;
            var baseSpec = Reserves.Single(r => r.Symbol == b);
            var quoteSpec = Reserves.Single(r => r.Symbol == q);
            var baseAmount = Units(depth, baseSpec.Decimals);
            var quoteAmount = Units(depth * baseSpec.PriceUsd / quoteSpec.PriceUsd, quoteSpec.Decimals);
            // Add liquidity without the router: transfer both sides to the pair, then mint LP to the admin.
            await chain.SendAsync(Admin, d.Tokens[b], Abi.Call("mint(address,uint256)", pair, baseAmount), $"mint {b} to pair").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Tokens[q], Abi.Call("mint(address,uint256)", pair, quoteAmount), $"mint {q} to pair").ConfigureAwait(false);
            await chain.SendAsync(Admin, pair, Abi.Call("mint(address)", Admin), $"pair.mint {b}/{q}").ConfigureAwait(false);
        }
        await chain.MineAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Streams anvil's state to a temporary file, canonical (<see cref="FixtureStateCanonicalizer"/>): the gzipped dump
    /// goes to disk as it arrives, then is inflated and canonicalized token by token. Nothing holds the whole state,
    /// which for 100,000 borrowers is GBs (one MemoryStream failed with "Stream was too long").
    /// </summary>
    private static async Task<string> DumpCanonicalStateAsync(AnvilNode node, CancellationToken ct)
    {
        var scratch = Path.GetTempPath();
        var gzPath = Path.Combine(scratch, $"defirisk-dump-{Guid.NewGuid():N}.json.gz");
        var jsonPath = Path.Combine(scratch, $"defirisk-state-{Guid.NewGuid():N}.json");
        try
        {
            await using (var gz = File.Create(gzPath))
                await node.Rpc.CallHexToStreamAsync("anvil_dumpState", gz, ct).ConfigureAwait(false);
            await Task.Run(() =>
            {
                using var input = new GZipStream(new FileStream(gzPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20), CompressionMode.Decompress);
                using var output = new FileStream(jsonPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                FixtureStateCanonicalizer.Canonicalize(input, output, scratch);
            }, ct).ConfigureAwait(false);
            return jsonPath;
        }
        catch
        {
            File.Delete(jsonPath);
            throw;
        }
        finally
        {
            File.Delete(gzPath);
        }
    }

    /// <summary>
    /// Makes anvil's state JSON small and byte-for-byte reproducible. Drops the per-transaction call traces
    /// (about three quarters of the size): receipts and their logs stay, so eth_getLogs,
    /// eth_getTransactionReceipt and eth_call at the saved block work after loading; only debug/trace
    /// calls on the build's own transactions lose their detail. Sorts blocks by number and transactions by
    /// (block, index), which anvil writes in hash-map order.
    /// </summary>
    internal static byte[] Canonicalize(byte[] stateJson)
    {
        var root = JsonNode.Parse(stateJson)!.AsObject();
        if (root["transactions"] is JsonArray txs)
        {
            foreach (var tx in txs)
                if (tx?["info"] is JsonObject info && info.ContainsKey("traces"))
                    info["traces"] = new JsonArray();
            Sort(txs, tx => (Quantity(tx["block_number"]), Quantity(tx["info"]?["transaction_index"])));
        }
        if (root["blocks"] is JsonArray blocks)
            Sort(blocks, b => (Quantity(b["header"]?["number"]), 0L));
        return JsonSerializer.SerializeToUtf8Bytes(root);

        static long Quantity(JsonNode? n) => n switch
        {
            null => 0,
            JsonValue v when v.TryGetValue<long>(out var l) => l,
            JsonValue v => (long)AnvilRpc.Quantity(v.GetValue<string>()),
            _ => 0,
        };

        static void Sort(JsonArray array, Func<JsonNode, (long, long)> key)
        {
            var items = array.Select(n => n!).OrderBy(key).ToList();
            array.Clear();
            foreach (var item in items) array.Add(item);
        }
    }

    // ---- manifest --------------------------------------------------------------------------------

    private DeploymentManifest Manifest(Deployed d, IReadOnlyList<BorrowerPlan> plans, long block, long timestamp, int transactions, FixtureHealthSummary health)
    {
        var facts = new FixtureFacts
        {
            // Null for demo, so that fixtures/demo keeps its bytes (a missing profile reads as demo).
            Profile = _options.Profile == FixtureProfile.Demo ? null : ProfileName(_options.Profile),
            // Null for 3.0, so that the bundled 3.0 fixtures keep their bytes (a missing version reads as 3.0).
            AaveVersion = _options.Aave == AaveVersion.V3_0 ? null : AaveVersionName(_options.Aave),
            Seed = _options.Seed,
            GenesisTimestamp = _options.GenesisTimestamp,
            Timestamp = timestamp,
            Block = block,
            Actors = new FixtureActors(Admin, Lender, Funder, Liquidator),
            Tokens = d.TokenFacts(),
            PriceFeeds = new SortedDictionary<string, string>(d.Feeds, StringComparer.Ordinal),
            PricesUsd = d.Listed.ToDictionary(r => r.Symbol, r => r.Symbol == "wstETH"
                ? (Usd8(Reserves[0].PriceUsd) * FinalRatio / BigInteger.Pow(10, 18)).ToString()
                : Usd8(r.PriceUsd).ToString()),
            ExchangeRateAggregator = d.ExchangeRateFacts(FinalRatio),
            MorphoMarkets = d.MorphoMarkets,
            MorphoIrm = d.Irm,
            UniswapPairs = d.Pairs,
            Borrowers = plans.Select(p => p.Address).ToList(),
            CaseBorrowers = _options.Aave == AaveVersion.V3_6 ? CaseAccounts : null,
            AaveBorrowers = health.AaveBorrowers,
            MorphoBorrowers = health.MorphoBorrowers,
            CrossProtocolBorrowers = health.CrossProtocol,
            Transactions = transactions,
        };
        return new DeploymentManifest
        {
            ChainId = _options.ChainId,
            Block = block,
            Sections =
            [
                new AaveV3Section(
                [
                    new AaveV3Deployment
                    {
                        Name = "fixture", PoolAddressesProvider = d.Provider, Pool = d.Pool, PoolConfigurator = d.Configurator,
                        DataProvider = d.DataProvider, Oracle = d.Oracle, AclManager = d.Acl, StartBlock = d.AaveStartBlock,
                    },
                ]),
                new MorphoBlueDeployment { Morpho = d.Morpho, Markets = d.MorphoMarkets.Select(m => m.Id).ToList(), StartBlock = d.MorphoStartBlock },
                new UniswapV2Deployment { Factory = d.Factory, Pairs = PairSpecs.Select(p => d.Pairs[$"{p.Base}/{p.Quote}"]).ToList() },
            ],
            Fixture = facts.ToJsonObject(),
        };
    }

    // ---- units -----------------------------------------------------------------------------------

    internal static BigInteger Usd8(decimal usd) => new(decimal.Round(usd * 100_000_000m));
    internal static BigInteger Wad(decimal x) => new BigInteger(decimal.Round(x * 1_000_000_000m)) * BigInteger.Pow(10, 9);
    internal static BigInteger Ray(decimal x) => new BigInteger(decimal.Round(x * 1_000_000_000m)) * BigInteger.Pow(10, 18);

    /// <summary>Whole tokens (up to 6 decimals kept) → base units.</summary>
    internal static BigInteger Units(decimal tokens, int decimals) =>
        new BigInteger(decimal.Round(tokens * 1_000_000m)) * BigInteger.Pow(10, decimals - 6);
}
