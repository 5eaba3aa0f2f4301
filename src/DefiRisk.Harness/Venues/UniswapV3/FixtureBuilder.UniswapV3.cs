using System.Numerics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Venues.UniswapV3;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Harness;

/// <summary>
/// A concentrated-liquidity range of a fixture pool, in tick spacings from the pool's starting tick rounded down to the
/// spacing: [<paramref name="LowerSpacings"/>, <paramref name="UpperSpacings"/>). <paramref name="Share"/> is its liquidity
/// as a multiple of √(base depth · quote depth) in base units — the liquidity a v2 pair of the spec's depth would have.
/// Ends beyond MIN/MAX_TICK are clamped to the outermost multiples of the spacing (<see cref="FullRange"/>).
/// </summary>
public sealed record FixtureV3Range(int LowerSpacings, int UpperSpacings, decimal Share)
{
    /// <summary>[MIN_TICK, MAX_TICK] rounded inward to the spacing: the v2-like position that keeps a pool from running dry.</summary>
    public static FixtureV3Range FullRange(decimal share) => new(-1_000_000, 1_000_000, share);
}

/// <summary>A Uniswap v3 pool of a fixture: its tokens by symbol, fee tier (pips), the base-side depth (whole tokens) the shares
/// refer to, and its positions. The pool starts at the oracle prices of the two tokens.</summary>
public sealed record FixtureV3PoolSpec(string Base, string Quote, int Fee, decimal BaseDepth, IReadOnlyList<FixtureV3Range> Ranges)
{
    public string Name => $"{Base}/{Quote}/{Fee}";
}

/// <summary>Uniswap v3 in the fixture: the real <c>@uniswap/v3-core@1.0.1</c> factory and pools, minted through the plumbing callee.</summary>
public sealed partial class FixtureBuilder
{
    /// <summary>
    /// Pools for routes the v2 pairs leave long or open: wstETH/USDC (1 hop instead of 2 through WETH), WBTC/WETH (1 instead
    /// of 2 through USDC) and DAI/USDC (DAI has no pair). Each has a narrow range at the price, wider ones around it,
    /// liquidity out of range (a cliff a large sale falls off) and a thin full-range position, as mainnet pools have: a pool
    /// run dry would send a sale through thousands of empty bitmap words, more gas than a block holds at spacing 1.
    /// Depths are demo-sized (a cascade moves them).
    /// </summary>
    public static readonly IReadOnlyList<FixtureV3PoolSpec> DemoV3Pools =
    [
        new("wstETH", "USDC", 500, 1_500m, [new(-6, 6, 3m), new(-30, 30, 1m), new(-120, 120, 0.4m), new(-200, -150, 1m), new(150, 200, 1m), FixtureV3Range.FullRange(0.05m)]),
        new("WBTC", "WETH", 3000, 60m, [new(-4, 4, 3m), new(-20, 20, 1m), new(-40, -30, 2m), new(-100, 100, 0.3m), FixtureV3Range.FullRange(0.05m)]),
        new("DAI", "USDC", 100, 400_000m, [new(-8, 8, 30m), new(-40, 40, 8m), new(-400, 400, 1m), new(-4_000, 4_000, 0.2m), FixtureV3Range.FullRange(0.02m)]),
    ];

    /// <summary>
    /// WETH/USDC 0.05 % beside the v2 pair, as on mainnet where the v3 pool is the deeper venue near the price: so a WETH sale has
    /// two venues and best execution splits it. Spacing 10 (≈ 0.1 % a spacing): 3 units within ±0.6 %, 1 within ±3 %, 0.4 within
    /// ±11 %, then, out of range below, 1 unit from −11 % to −26 % (the band a 20 % drop lands in) and under it a cliff with only
    /// the thin full range; above, 1 unit from +16 % to +22 %. At 60,000 WETH a unit is a tenth of the v2 pair's liquidity.
    /// </summary>
    public static readonly FixtureV3PoolSpec MainnetLikeWethUsdc =
        new("WETH", "USDC", 500, 60_000m, [new(-6, 6, 3m), new(-30, 30, 1m), new(-120, 120, 0.4m), new(-300, -120, 1m), new(150, 200, 1m), FixtureV3Range.FullRange(0.05m)]);

    /// <summary>
    /// weETH/WETH 0.05 % (20,000 weETH; the book holds about 6,200 weETH of collateral): weETH's only venue, so that the market
    /// model (the default) can sell seized weETH instead of refusing it by name, and weETH's market price follows WETH through
    /// the pool as an ETH restaking token's does. Only where the build lists weETH (Aave 3.6).
    /// </summary>
    public static readonly FixtureV3PoolSpec MainnetLikeWeEthWeth =
        new("weETH", "WETH", 500, 20_000m, [new(-6, 6, 3m), new(-30, 30, 1m), new(-120, 120, 0.4m), new(-250, -150, 1m), FixtureV3Range.FullRange(0.05m)]);

    /// <summary>
    /// The demo's pools at mainnet-like depth — ×40, but DAI/USDC at 2,000,000,000 DAI (×5,000): about $56 M within 0.4 % of
    /// the peg and $96 M within 4 %, against the book's $60 M of DAI debt that liquidators buy DAI to repay. DAI's only venue
    /// is this pool, so at ×40 ($1.4 M within 40 %) a WETH −20 % cascade bought DAI to $20 (one market price: $4,000) and
    /// every DAI debtor went under, where mainnet's peg (PSM, many stable pools) holds. Then <see cref="MainnetLikeWethUsdc"/> and
    /// <see cref="MainnetLikeWeEthWeth"/>.
    /// For <c>--profile mainnet-like --uniswap-v3 pools</c> (the bundled mainnet-like is built with them).
    /// </summary>
    public static readonly IReadOnlyList<FixtureV3PoolSpec> MainnetLikeV3Pools =
        [.. DemoV3Pools.Select(p => p with { BaseDepth = p.Base == "DAI" ? 2_000_000_000m : p.BaseDepth * 40 }), MainnetLikeWethUsdc, MainnetLikeWeEthWeth];

    /// <summary>The v3 pools of this build: the option's whose tokens the build lists (weETH only on 3.6), else none.</summary>
    private IReadOnlyList<FixtureV3PoolSpec> V3PoolSpecs =>
        (_options.UniswapV3Pools ?? []).Where(p => ListedReserves.Any(r => r.Symbol == p.Base) && ListedReserves.Any(r => r.Symbol == p.Quote)).ToList();

    /// <summary>What the v3 deployment left for the manifest.</summary>
    private sealed record UniswapV3Deployed(string Factory, string Callee, IReadOnlyDictionary<string, string> Pools);

    private UniswapV3Deployed? _uniswapV3;

    /// <summary>CLI value of <c>--uniswap-v3</c>: "none", or "pools" (the profile's pools).</summary>
    internal static FixtureBuildOptions ApplyUniswapV3Choice(FixtureBuildOptions options, string value) => value switch
    {
        "none" => options with { UniswapV3Pools = null },
        "pools" => options with { UniswapV3Pools = options.Profile == FixtureProfile.MainnetLike ? MainnetLikeV3Pools : DemoV3Pools },
        _ => throw new Core.DefiRiskException($"--uniswap-v3 '{value}' is not one of: none, pools"),
    };

    /// <summary>
    /// Factory (fee 100 enabled as mainnet's governance did), callee, pools created and initialized at the oracle price,
    /// positions minted by the admin through the callee with exact liquidity. Ticks of every range are multiples of the spacing.
    /// </summary>
    private async Task DeployUniswapV3Async(ChainWriter chain, Deployed d, CancellationToken ct)
    {
        var specs = V3PoolSpecs;
        if (specs.Count == 0) return;
        var factory = await chain.DeployAsync(Admin, "0x" + ContractArtifact.UniswapV3(_nodeModules, "UniswapV3Factory").Bytecode, "UniswapV3Factory", 12_000_000).ConfigureAwait(false);
        var callee = await chain.DeployAsync(Admin, "0x" + await UniswapV3Plumbing.CompileCalleeAsync(_nodeModules, ct).ConfigureAwait(false), "UniswapV3Callee").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        await chain.SendAsync(Admin, factory, Abi.Call("enableFeeAmount(uint24,int24)", new BigInteger(100), new BigInteger(1)), "enableFeeAmount(100, 1)").ConfigureAwait(false);
        var supply = BigInteger.Pow(10, 36);
        foreach (var symbol in specs.SelectMany(s => new[] { s.Base, s.Quote }).Distinct())
        {
            await chain.SendAsync(Admin, d.Tokens[symbol], Abi.Call("mint(address,uint256)", Admin, supply), $"mint {symbol} to admin for v3").ConfigureAwait(false);
            await chain.SendAsync(Admin, d.Tokens[symbol], Abi.Call("approve(address,uint256)", callee, supply), $"approve v3 callee {symbol}").ConfigureAwait(false);
        }
        foreach (var s in specs)
            await chain.SendAsync(Admin, factory, Abi.Call("createPool(address,address,uint24)", d.Tokens[s.Base], d.Tokens[s.Quote], new BigInteger(s.Fee)), $"createPool {s.Name}", gas: 8_000_000).ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);

        var pools = new Dictionary<string, string>();
        foreach (var s in specs)
        {
            var pool = Abi.AddressAt(await chain.CallAsync(factory, Abi.Call("getPool(address,address,uint24)", d.Tokens[s.Base], d.Tokens[s.Quote], new BigInteger(s.Fee))).ConfigureAwait(false), 0);
            pools[s.Name] = pool;
            var spacing = UniswapV3Plumbing.FeeTiers.Single(t => t.Fee == s.Fee).TickSpacing;
            var baseIsToken0 = string.CompareOrdinal(d.Tokens[s.Base].ToLowerInvariant(), d.Tokens[s.Quote].ToLowerInvariant()) < 0;
            var sqrtPrice = StartingSqrtPrice(s, baseIsToken0);
            var tick = TickMath.GetTickAtSqrtRatio(sqrtPrice);
            var aligned = UniswapV3BitmapWords.Compress(tick, spacing) * spacing;
            await chain.SendAsync(Admin, pool, Abi.Call("initialize(uint160)", sqrtPrice), $"initialize {s.Name}").ConfigureAwait(false);
            var unit = LiquidityUnit(s);
            var (lowest, highest) = (-(TickMath.MaxTick / spacing) * spacing, TickMath.MaxTick / spacing * spacing);
            foreach (var r in s.Ranges)
            {
                var liquidity = new BigInteger(decimal.Round(r.Share * 1_000_000m)) * unit / 1_000_000;
                var lower = Math.Max(lowest, (long)aligned + (long)r.LowerSpacings * spacing);
                var upper = Math.Min(highest, (long)aligned + (long)r.UpperSpacings * spacing);
                await chain.SendAsync(Admin, callee, Abi.Call("mint(address,address,int24,int24,uint128)", pool, Admin, new BigInteger(lower), new BigInteger(upper), liquidity),
                    $"mint {s.Name} [{lower}, {upper})", gas: 1_000_000).ConfigureAwait(false);
            }
        }
        await chain.MineAsync().ConfigureAwait(false);
        _uniswapV3 = new UniswapV3Deployed(factory, callee, pools);
    }

    /// <summary>√(token1 per token0 in base units)·2^96 at the two tokens' oracle prices (USD, 8 decimals), floor.</summary>
    private static BigInteger StartingSqrtPrice(FixtureV3PoolSpec s, bool baseIsToken0)
    {
        ReserveSpec b = AllReserves.Single(r => r.Symbol == s.Base), q = AllReserves.Single(r => r.Symbol == s.Quote);
        var (t0, t1) = baseIsToken0 ? (b, q) : (q, b);
        // P = (usd0 / usd1) · 10^(dec1 − dec0); P·2^192 then the integer square root.
        var num = Usd8(t0.PriceUsd) * BigInteger.Pow(10, t1.Decimals) << 192;
        var den = Usd8(t1.PriceUsd) * BigInteger.Pow(10, t0.Decimals);
        return FixedPoint.Sqrt(num / den);
    }

    /// <summary>√(base depth · quote depth) in base units, the quote depth at the oracle price.</summary>
    private static BigInteger LiquidityUnit(FixtureV3PoolSpec s)
    {
        ReserveSpec b = AllReserves.Single(r => r.Symbol == s.Base), q = AllReserves.Single(r => r.Symbol == s.Quote);
        return FixedPoint.Sqrt(Units(s.BaseDepth, b.Decimals) * Units(s.BaseDepth * b.PriceUsd / q.PriceUsd, q.Decimals));
    }

    /// <summary>The manifest with the v3 section and facts added (unchanged when the build has no v3 pools).</summary>
    private DeploymentManifest WithUniswapV3(DeploymentManifest manifest)
    {
        if (_uniswapV3 is not { } v3) return manifest;
        var fixture = (System.Text.Json.Nodes.JsonObject)manifest.Fixture!.DeepClone();
        fixture["uniswapV3Pools"] = new System.Text.Json.Nodes.JsonObject(v3.Pools.Select(kv => KeyValuePair.Create(kv.Key, (System.Text.Json.Nodes.JsonNode?)kv.Value)));
        fixture["uniswapV3Callee"] = v3.Callee;
        fixture["uniswapV3Factory"] = v3.Factory;
        return manifest with
        {
            Sections = [.. manifest.Sections, new UniswapV3Deployment { Pools = V3PoolSpecs.Select(s => v3.Pools[s.Name]).ToList(), AllWords = true }],
            Fixture = fixture,
        };
    }
}
