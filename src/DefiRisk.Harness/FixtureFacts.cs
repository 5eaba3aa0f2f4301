using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// The harness-only facts of a fixture, stored in <see cref="DeploymentManifest.Fixture"/> (the indexer
/// ignores them): token, feed and pair addresses by symbol, Morpho market params, the actors, and how the
/// state was built. Amounts and prices are decimal strings of base units (BigInteger does not fit JSON numbers).
/// </summary>
public sealed record FixtureFacts
{
    /// <summary>Bumped when a key changes meaning.</summary>
    public int FormatVersion { get; init; } = 1;
    /// <summary>The builder profile ("mainnet-like"); absent for demo fixtures.</summary>
    public string? Profile { get; init; }
    /// <summary>The Aave v3 release deployed ("3.6"); absent for 3.0 fixtures (<c>@aave/core-v3</c> 1.19.3).</summary>
    public string? AaveVersion { get; init; }
    public long Seed { get; init; }
    /// <summary>Unix seconds of the genesis block (anvil <c>--timestamp</c>).</summary>
    public long GenesisTimestamp { get; init; }
    /// <summary>Unix seconds of the saved head block; serving resets the clock here (LOCAL-CHAIN §5).</summary>
    public long Timestamp { get; init; }
    /// <summary>The saved head block: read the fixture at this block.</summary>
    public long Block { get; init; }
    /// <summary>Name of the state file beside the manifest: state.json or state.json.gz.</summary>
    public string StateFile { get; init; } = "state.json";
    /// <summary>Who does what: admin (deployer, pool admin, oracle owner), lender (supplied all the lending
    /// liquidity), funder (supplied borrowers' collateral on their behalf), liquidator (ETH only; mint what you need).</summary>
    public required FixtureActors Actors { get; init; }
    /// <summary>Symbol → token (WETH, WBTC, wstETH, USDC, DAI). MintableERC20: anyone may <c>mint(address,uint256)</c>.</summary>
    public required IReadOnlyDictionary<string, FixtureToken> Tokens { get; init; }
    /// <summary>Symbol → the AaveOracle source. MockAggregator (answer in storage slot 0) for all but wstETH.</summary>
    public required IReadOnlyDictionary<string, string> PriceFeeds { get; init; }
    /// <summary>Symbol → USD price with 8 decimals at the saved block, as AaveOracle returns it.</summary>
    public required IReadOnlyDictionary<string, string> PricesUsd { get; init; }
    public required FixtureExchangeRate ExchangeRateAggregator { get; init; }
    public required IReadOnlyList<FixtureMorphoMarket> MorphoMarkets { get; init; }
    public required string MorphoIrm { get; init; }
    /// <summary>"BASE/QUOTE" by symbol → UniswapV2Pair address (from factory.getPair).</summary>
    public required IReadOnlyDictionary<string, string> UniswapPairs { get; init; }
    /// <summary>"BASE/QUOTE/FEE" → Uniswap v3 pool (factory.getPool); absent when the fixture has no v3 pools.</summary>
    public IReadOnlyDictionary<string, string>? UniswapV3Pools { get; init; }
    /// <summary>The plumbing callee that mints and swaps on v3 pools for its caller (fixtures/contracts/plumbing/UniswapV3Callee.sol).</summary>
    public string? UniswapV3Callee { get; init; }
    public string? UniswapV3Factory { get; init; }
    /// <summary>Every borrower the generator opened, in generation order.</summary>
    public required IReadOnlyList<string> Borrowers { get; init; }
    /// <summary>
    /// Accounts the 3.6 cases open beside the generated population (isolated and drained-reserve borrowers, the drainer),
    /// all with Aave debt and none counted in the totals below; absent for other fixtures.
    /// </summary>
    public IReadOnlyList<string>? CaseBorrowers { get; init; }
    /// <summary>The generated borrowers and the case accounts: everyone a watcher of the fixture's positions must watch.</summary>
    [JsonIgnore] public IReadOnlyList<string> AllBorrowers => [.. Borrowers, .. CaseBorrowers ?? []];
    /// <summary>Borrowers with Aave debt.</summary>
    public int AaveBorrowers { get; init; }
    /// <summary>Borrowers with a Morpho borrow.</summary>
    public int MorphoBorrowers { get; init; }
    /// <summary>Borrowers with a position on both Aave and Morpho.</summary>
    public int CrossProtocolBorrowers { get; init; }

    /// <summary>Borrowers per protocol ("aave-v3", "morpho-blue"), for the fixture verb's summary.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, int> BorrowersByProtocol => new Dictionary<string, int>
    {
        [Core.Protocols.AaveV3.AaveV3Book.Name] = AaveBorrowers,
        [Core.Protocols.MorphoBlue.MorphoBlueBook.Name] = MorphoBorrowers,
    };

    /// <summary>What a fixture serves, for help texts.</summary>
    public const string Contents = "Aave v3, Morpho Blue and Uniswap v2 with seeded borrowers";
    /// <summary>How many transactions the build sent (deploy + positions).</summary>
    public int Transactions { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();

    /// <summary>The facts of a fixture manifest; a manifest without them is not a fixture.</summary>
    public static FixtureFacts From(DeploymentManifest manifest, string source)
    {
        if (manifest.Fixture is null) throw new DefiRiskException($"{source} has no \"fixture\" section: not a DefiRisk fixture manifest");
        try
        {
            return manifest.Fixture.Deserialize<FixtureFacts>(JsonOptions)
                ?? throw new DefiRiskException($"{source}: empty \"fixture\" section");
        }
        catch (JsonException ex)
        {
            throw new DefiRiskException($"{source}: malformed \"fixture\" section: {JsonErrorText.Describe(ex, null)}");
        }
    }

    public FixtureToken Token(string symbol) =>
        Tokens.TryGetValue(symbol, out var t) ? t : throw new DefiRiskException($"fixture has no token '{symbol}'");
}

public sealed record FixtureActors(string Admin, string Lender, string Funder, string Liquidator);

/// <summary>An Aave reserve's underlying token and its Aave tokens.</summary>
public sealed record FixtureToken(string Address, int Decimals, string AToken, string VariableDebtToken, string StableDebtToken);

/// <summary>The wstETH source: price = WETH feed × ratio / 1e18; ratio is storage slot 0, owner-settable via setRatio.</summary>
public sealed record FixtureExchangeRate(string Address, string Asset, string BaseAsset, string BaseFeed, string Ratio);

/// <summary>A Morpho Blue market with its OracleMock (price in storage slot 0, 1e36-scaled, decimal-adjusted).</summary>
public sealed record FixtureMorphoMarket(
    string Id, string Name, string LoanSymbol, string CollateralSymbol,
    string LoanToken, string CollateralToken, string Oracle, string Irm, string Lltv);
