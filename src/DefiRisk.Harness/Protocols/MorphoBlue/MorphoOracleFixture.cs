using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Core;
using static DefiRisk.Harness.FixtureMessages;

namespace DefiRisk.Harness.Protocols.MorphoBlue;

/// <summary>One Morpho market the oracle fixture created, with its oracle's kind as the fixture built it.</summary>
public sealed record OracleFixtureMarket(string Name, string Id, string LoanToken, string CollateralToken, string Oracle, string Irm, BigInteger Lltv,
    string Kind, IReadOnlyList<string> Borrowers);

/// <summary>
/// What <see cref="MorphoOracleFixture.AddAsync"/> put on the chain: composed-oracle markets with borrowers, the feeds
/// (proxies over the Aave sources, a standalone feed that holds, one a feed→asset table maps), the Morpho-only vault
/// token, and the markets the indexer must skip (idle, oracle reverting, oracle at 0).
/// </summary>
public sealed record OracleFixtureFacts(
    IReadOnlyList<OracleFixtureMarket> Markets,
    IReadOnlyDictionary<string, string> Feeds,
    string Vault,
    string IdleMarket,
    string RevertingOracleMarket,
    string ZeroPriceMarket,
    string ZeroPriceBorrower);

/// <summary>
/// Adds Morpho markets with composed oracles to a served bundled fixture (an on-the-fly fixture for the oracle-composition
/// tests; the bundled fixtures are not rebuilt). Our own contracts (<c>fixtures/contracts/morpho-oracles</c>, solc 0.8.19)
/// carry the getters of morpho-blue-oracles: <c>FixtureChainlinkOracleV2</c> (MorphoChainlinkOracleV2's),
/// <c>FixtureChainlinkOracle</c> (the first ChainlinkOracle's), <c>FixtureFeed</c> (a Chainlink proxy with
/// <c>aggregator()</c>), <c>FixtureVault</c> (ERC-4626 <c>convertToAssets</c>). Markets:
/// vWETH/USDC (V2: base vault + WETH feed, USDC quote feed), WBTC/WETH (V2: a held WBTC/BTC feed × BTC/USD over WETH/USD),
/// WETH/USDC v1 (the first ChainlinkOracle with a table-mapped WETH feed), DAI/USDC fixed (V2 without feeds or vaults);
/// then an idle market (collateral, oracle, IRM 0x0), a market whose oracle reverts and one whose oracle answers 0.
/// One transaction per mined block; the lender supplies each loan token, the borrowers are fresh impersonated addresses.
/// </summary>
public static class MorphoOracleFixture
{
    public const string SourceDirectory = "fixtures/contracts/morpho-oracles";
    public const string Lltv = "860000000000000000";

    private static readonly (string File, string Name)[] Contracts =
    [
        ("FixtureFeed.sol", "FixtureFeed"),
        ("FixtureVault.sol", "FixtureVault"),
        ("FixtureComposedOracles.sol", "FixtureChainlinkOracleV2"),
        ("FixtureComposedOracles.sol", "FixtureChainlinkOracle"),
    ];

    public static async Task<OracleFixtureFacts> AddAsync(FixtureServer server, NodeModules? nodeModules = null, CancellationToken ct = default)
    {
        var modules = nodeModules ?? NodeModules.Locate();
        var art = await CompileAsync(modules, ct).ConfigureAwait(false);
        var node = server.Node;
        var facts = server.Facts;
        var morpho = server.Manifest.MorphoBlue()!.Morpho.ToLowerInvariant();
        var (admin, lender) = (facts.Actors.Admin, facts.Actors.Lender);
        string Token(string symbol) => facts.Tokens[symbol].Address.ToLowerInvariant();
        var zero = "0x0000000000000000000000000000000000000000";
        var lltv = BigInteger.Parse(Lltv);

        // Feeds: proxies over the Aave sources of WETH, WBTC, USDC; a standalone WBTC/BTC at 1.0 (held: no asset follows it);
        // a standalone WETH/USD the feed→asset table maps to WETH.
        var feeds = new Dictionary<string, string>
        {
            ["WETH/USD"] = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", facts.PriceFeeds["WETH"], (byte)8, BigInteger.Zero), "FixtureFeed WETH").ConfigureAwait(false),
            ["BTC/USD"] = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", facts.PriceFeeds["WBTC"], (byte)8, BigInteger.Zero), "FixtureFeed WBTC").ConfigureAwait(false),
            ["USDC/USD"] = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", facts.PriceFeeds["USDC"], (byte)8, BigInteger.Zero), "FixtureFeed USDC").ConfigureAwait(false),
            ["WBTC/BTC"] = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", zero, (byte)8, new BigInteger(99_800_000)), "FixtureFeed WBTC/BTC").ConfigureAwait(false),
            ["WETH/USD table"] = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", zero, (byte)8, BigInteger.Parse(facts.PricesUsd["WETH"])), "FixtureFeed WETH table").ConfigureAwait(false),
        };
        // vWETH: 1.05 WETH per share, only on Morpho.
        var vault = await DeployAsync(node, admin, Abi.Deploy(art["FixtureVault"], "(string,string,address,uint256)", "Fixture vault WETH", "vWETH", Token("WETH"),
            BigInteger.Parse("1050000000000000000")), "FixtureVault vWETH").ConfigureAwait(false);

        var v2 = art["FixtureChainlinkOracleV2"];
        const string V2Args = "(address,uint256,address,address,uint256,address,uint256,address,address,uint256)";
        var one = BigInteger.One;
        var specs = new List<(string Name, string Loan, string Collateral, string Oracle, string Kind, int Decimals)>
        {
            ("vWETH/USDC", Token("USDC"), vault, await DeployAsync(node, admin, Abi.Deploy(v2, V2Args,
                vault, BigInteger.Pow(10, 18), feeds["WETH/USD"], zero, new BigInteger(18), zero, one, feeds["USDC/USD"], zero, new BigInteger(6)), "V2 vWETH/USDC").ConfigureAwait(false),
                "chainlink-v2", 18),
            ("WBTC/WETH", Token("WETH"), Token("WBTC"), await DeployAsync(node, admin, Abi.Deploy(v2, V2Args,
                zero, one, feeds["WBTC/BTC"], feeds["BTC/USD"], new BigInteger(8), zero, one, feeds["WETH/USD"], zero, new BigInteger(18)), "V2 WBTC/WETH").ConfigureAwait(false),
                "chainlink-v2", 8),
            ("WETH/USDC v1", Token("USDC"), Token("WETH"), await DeployAsync(node, admin, Abi.Deploy(art["FixtureChainlinkOracle"],
                "(address,uint256,address,address,address,address,uint256,uint256)",
                zero, one, feeds["WETH/USD table"], zero, feeds["USDC/USD"], zero, new BigInteger(18), new BigInteger(6)), "V1 WETH/USDC").ConfigureAwait(false),
                "chainlink-v1", 18),
            ("DAI/USDC fixed", Token("USDC"), Token("DAI"), await DeployAsync(node, admin, Abi.Deploy(v2, V2Args,
                zero, one, zero, zero, new BigInteger(18), zero, one, zero, zero, new BigInteger(6)), "V2 DAI/USDC fixed").ConfigureAwait(false),
                "fixed", 18),
        };

        var rng = new Random(1313);
        var markets = new List<OracleFixtureMarket>();
        foreach (var (name, loan, collateral, oracle, kind, decimals) in specs)
        {
            var mp = new MarketParams { LoanToken = loan, CollateralToken = collateral, Oracle = oracle, Irm = facts.MorphoIrm, Lltv = lltv };
            await SendAsync(node, admin, morpho, Data(new CreateMarketFunction { MarketParams = mp }), $"createMarket {name}").ConfigureAwait(false);
            var price = Abi.UIntAt(await CallAsync(node, oracle, Abi.Call("price()")).ConfigureAwait(false), 0);
            // Liquidity: 10 M loan-token units' worth of the loan token's base units is plenty for a handful of borrowers.
            var supply = BigInteger.Pow(10, 30);
            await SendAsync(node, lender, loan, Abi.Call("mint(uint256)", supply), $"lender mint for {name}").ConfigureAwait(false);
            await SendAsync(node, lender, loan, Abi.Call("approve(address,uint256)", morpho, supply), $"lender approve for {name}").ConfigureAwait(false);
            await SendAsync(node, lender, morpho, Data(new SupplyFunction { MarketParams = mp, Assets = supply, OnBehalf = lender }), $"supply {name}").ConfigureAwait(false);

            var borrowers = new List<string>();
            // Health factors 1.03 to 1.6: a 30 % fall of a moving feed makes some unhealthy, others stay healthy.
            foreach (var hf in new[] { 1.03, 1.12, 1.25, 1.6 })
            {
                var borrower = "0x" + Convert.ToHexString(BitConverter.GetBytes(rng.NextInt64())).ToLowerInvariant().PadLeft(40, '7');
                await node.ImpersonateAsync(borrower).ConfigureAwait(false);
                await node.SetBalanceAsync(borrower, BigInteger.Pow(10, 20)).ConfigureAwait(false);
                var coll = BigInteger.Pow(10, decimals) * (3 + rng.Next(0, 20));
                await SendAsync(node, borrower, collateral, Abi.Call("mint(uint256)", coll), $"mint collateral {name}").ConfigureAwait(false);
                await SendAsync(node, borrower, collateral, Abi.Call("approve(address,uint256)", morpho, coll), $"approve collateral {name}").ConfigureAwait(false);
                await SendAsync(node, borrower, morpho, Data(new SupplyCollateralFunction { MarketParams = mp, Assets = coll, OnBehalf = borrower }), $"supplyCollateral {name}").ConfigureAwait(false);
                // maxBorrow = coll × price / 1e36 × lltv; borrow maxBorrow / hf.
                var max = coll * price / BigInteger.Pow(10, 36) * lltv / BigInteger.Pow(10, 18);
                var borrow = max * (BigInteger)(10_000 / hf) / 10_000;
                await SendAsync(node, borrower, morpho, Data(new BorrowFunction { MarketParams = mp, Assets = borrow, OnBehalf = borrower, Receiver = borrower }), $"borrow {name}").ConfigureAwait(false);
                borrowers.Add(borrower);
            }
            markets.Add(new OracleFixtureMarket(name, FixtureBuilder.MarketId(mp), loan, collateral, oracle, facts.MorphoIrm, lltv, kind, borrowers));
        }

        // Markets the indexer must skip. Idle: Morpho's supply-only market shape (needs IRM 0x0 and LLTV 0 enabled).
        await SendAsync(node, admin, morpho, Abi.Call("enableIrm(address)", zero), "enableIrm 0x0").ConfigureAwait(false);
        await SendAsync(node, admin, morpho, Abi.Call("enableLltv(uint256)", BigInteger.Zero), "enableLltv 0").ConfigureAwait(false);
        var idle = new MarketParams { LoanToken = Token("USDC"), CollateralToken = zero, Oracle = zero, Irm = zero, Lltv = 0 };
        await SendAsync(node, admin, morpho, Data(new CreateMarketFunction { MarketParams = idle }), "createMarket idle").ConfigureAwait(false);
        // Reverting: the oracle is a contract without price() (the vault). Zero: a feed-less FixtureFeed has no price() either,
        // so a V2 oracle over a feed answering 0 gives price() = 0.
        var reverting = new MarketParams { LoanToken = Token("USDC"), CollateralToken = Token("WETH"), Oracle = vault, Irm = facts.MorphoIrm, Lltv = lltv };
        await SendAsync(node, admin, morpho, Data(new CreateMarketFunction { MarketParams = reverting }), "createMarket reverting oracle").ConfigureAwait(false);
        var deadFeed = await DeployAsync(node, admin, Abi.Deploy(art["FixtureFeed"], "(address,uint8,int256)", zero, (byte)8, BigInteger.Zero), "FixtureFeed at 0").ConfigureAwait(false);
        var zeroOracle = await DeployAsync(node, admin, Abi.Deploy(v2, V2Args, zero, one, deadFeed, zero, new BigInteger(18), zero, one, feeds["USDC/USD"], zero, new BigInteger(6)), "V2 at 0").ConfigureAwait(false);
        var zeroPrice = new MarketParams { LoanToken = Token("USDC"), CollateralToken = Token("WETH"), Oracle = zeroOracle, Irm = facts.MorphoIrm, Lltv = lltv };
        await SendAsync(node, admin, morpho, Data(new CreateMarketFunction { MarketParams = zeroPrice }), "createMarket zero price").ConfigureAwait(false);
        // One collateral-only position in the zero-price market (SupplyCollateral logs make it discoverable).
        var holder = "0x7e70000000000000000000000000000000000013";
        await node.ImpersonateAsync(holder).ConfigureAwait(false);
        await node.SetBalanceAsync(holder, BigInteger.Pow(10, 20)).ConfigureAwait(false);
        var weth = BigInteger.Pow(10, 18);
        await SendAsync(node, holder, Token("WETH"), Abi.Call("mint(uint256)", weth), "mint WETH zero-price holder").ConfigureAwait(false);
        await SendAsync(node, holder, Token("WETH"), Abi.Call("approve(address,uint256)", morpho, weth), "approve WETH zero-price holder").ConfigureAwait(false);
        await SendAsync(node, holder, morpho, Data(new SupplyCollateralFunction { MarketParams = zeroPrice, Assets = weth, OnBehalf = holder }), "supplyCollateral zero price").ConfigureAwait(false);

        return new OracleFixtureFacts(markets, feeds, vault, FixtureBuilder.MarketId(idle), FixtureBuilder.MarketId(reverting), FixtureBuilder.MarketId(zeroPrice), holder);
    }

    /// <summary>The fixture's oracle contracts, compiled with this repository's solcjs 0.8.19 (cached by input hash).</summary>
    private static async Task<Dictionary<string, string>> CompileAsync(NodeModules modules, CancellationToken ct)
    {
        var dir = Path.Combine(modules.RepositoryRoot, SourceDirectory);
        var sources = new JsonObject();
        foreach (var file in Contracts.Select(c => c.File).Distinct())
            sources[$"{SourceDirectory}/{file}"] = new JsonObject { ["content"] = await File.ReadAllTextAsync(Path.Combine(dir, file), ct).ConfigureAwait(false) };
        var selection = new JsonObject();
        foreach (var file in Contracts.Select(c => c.File).Distinct())
            selection[$"{SourceDirectory}/{file}"] = new JsonObject { ["*"] = new JsonArray("evm.bytecode.object") };
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = sources,
            ["settings"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = "paris",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = selection,
            },
        };
        var (output, _) = await SolidityCompiler.CompileCachedAsync(modules.Solcjs, "0.8.19", input,
            Path.Combine(modules.RepositoryRoot, ".defirisk-cache"), ct).ConfigureAwait(false);
        return Contracts.ToDictionary(c => c.Name, c =>
            output["contracts"]?[$"{SourceDirectory}/{c.File}"]?[c.Name]?["evm"]?["bytecode"]?["object"]?.GetValue<string>()
            ?? throw new DefiRiskException($"solc output lacks {c.File}:{c.Name}"));
    }

    private static async Task<string> DeployAsync(AnvilNode node, string from, string creation, string label) =>
        (await SendAsync(node, from, null, creation, label).ConfigureAwait(false)).GetProperty("contractAddress").GetString()!.ToLowerInvariant();

    /// <summary>Sends, mines it and fails on a revert, naming the step and the reason.</summary>
    private static async Task<JsonElement> SendAsync(AnvilNode node, string from, string? to, string data, string label)
    {
        var tx = new Dictionary<string, object> { ["from"] = from, ["data"] = data, ["gas"] = AnvilRpc.Hex(8_000_000) };
        if (to is not null) tx["to"] = to;
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", tx).ConfigureAwait(false)).GetString()!;
        await node.MineAsync().ConfigureAwait(false); // a served fixture does not automine
        var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
        if (receipt.ValueKind == JsonValueKind.Null)
            throw new InvalidOperationException($"oracle fixture: '{label}' was not mined");
        if (AnvilRpc.Quantity(receipt.GetProperty("status")) != 1)
        {
            string why;
            try { await node.Rpc.CallAsync("eth_call", tx, "latest").ConfigureAwait(false); why = "reverted"; }
            catch (DefiRiskException ex) { why = ex.Message; }
            throw new InvalidOperationException($"oracle fixture: '{label}' failed: {why}");
        }
        return receipt;
    }

    private static async Task<string> CallAsync(AnvilNode node, string to, string data) =>
        (await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest").ConfigureAwait(false)).GetString()!;
}
