using System.Numerics;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV3;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Harness;
using DefiRisk.Harness.Venues.UniswapV3;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Venues.UniswapV3;

/// <summary>
/// Pool discovery per fee tier on a real v3 factory (npm <c>@uniswap/v3-core</c> 1.0.1): of one token pair's four tiers,
/// the 0.05 % pool holds liquidity, the 0.3 % pool is created and initialized but empty, the 0.01 % and 1 % pools were
/// never created. Discovery computes all four by CREATE2, reads the one with liquidity, and skips the other three with
/// counted warnings.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class UniswapV3DiscoveryTests : IAsyncLifetime
{
    private static readonly RpcOptions TestRpc = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(20) };
    private AnvilNode _node = null!;
    private UniswapV3Harness _uniswap = null!;
    private string _withLiquidity = "", _empty = "";
    private long _block;

    public async Task InitializeAsync()
    {
        var nodeModules = NodeModules.Locate();
        _node = await AnvilNode.StartAsync(new AnvilOptions { Timestamp = 1_700_000_000 }, nodeModules);
        _uniswap = await UniswapV3Harness.DeployAsync(_node, nodeModules);
        var price = TickMath.GetSqrtRatioAtTick(0);
        _withLiquidity = await _uniswap.CreatePoolAsync(500, price);
        await _uniswap.MintAsync(_withLiquidity, -600, 600, BigInteger.Pow(10, 21));
        _empty = await _uniswap.CreatePoolAsync(3000, price);
        _block = await _node.BlockNumberAsync();
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }

    private UniswapV3Deployment Section(params string[] pools) => new()
    {
        Pools = pools,
        Factory = _uniswap.Factory,
        Quotes = [_uniswap.Token1],
        WordRadius = 2,
    };

    [Fact]
    public async Task UniswapV3_discovery_reads_the_tier_with_liquidity_and_skips_missing_and_empty_tiers_with_counted_warnings()
    {
        using var rpc = new EthRpc(_node.RpcUrl, TestRpc);
        var reader = new PinnedReader(rpc, _block);
        var assets = new[] { Address.Parse(_uniswap.Token0), Address.Parse(_uniswap.Token1) }.Order().ToList();

        var book = (UniswapV3Book)await new UniswapV3Adapter().ReadAsync(Section(), assets, reader, default);

        var pool = Assert.Single(book.V3Pools);
        Assert.Equal(Address.Parse(_withLiquidity), pool.Address);
        Assert.Equal(500, pool.State.Fee);
        Assert.Equal(BigInteger.Pow(10, 21), pool.State.Liquidity);
        Assert.Equal(2, reader.Warnings.Count);
        var missing = Assert.Single(reader.Warnings, w => w.Kind == UniswapV3Discovery.MissingKind);
        Assert.Equal("2 pools", missing.Subject);
        Assert.Contains("2 of 4 candidate pools", missing.Message);
        Assert.Contains("1 at 0.01 %, 1 at 1.00 %", missing.Message);
        var empty = Assert.Single(reader.Warnings, w => w.Kind == UniswapV3Discovery.EmptyKind);
        Assert.Equal(Address.Parse(_empty).Value, empty.Subject);
        Assert.All(reader.Warnings, w => Assert.Equal(UniswapV3Book.Name, w.Protocol));
    }

    [Fact]
    public async Task UniswapV3_pool_addresses_by_CREATE2_are_the_factory_s_own_for_every_tier_created()
    {
        using var rpc = new EthRpc(_node.RpcUrl, TestRpc);
        var (t0, t1) = (Address.Parse(_uniswap.Token0), Address.Parse(_uniswap.Token1));
        var factory = Address.Parse(_uniswap.Factory);
        var found = await UniswapV3Reader.FindPoolsAsync(rpc, factory, [(t1, t0, 500), (t0, t1, 3000)], _block, default);
        Assert.Equal([UniswapV3PoolAddress.Compute(factory, t0, t1, 500), UniswapV3PoolAddress.Compute(factory, t1, t0, 3000)], found.Select(a => a!.Value));
    }

    [Fact]
    public async Task UniswapV3_a_listed_pool_that_discovery_also_finds_is_read_once_and_a_listed_empty_pool_is_kept()
    {
        using var rpc = new EthRpc(_node.RpcUrl, TestRpc);
        var reader = new PinnedReader(rpc, _block);
        var assets = new[] { Address.Parse(_uniswap.Token0), Address.Parse(_uniswap.Token1) }.Order().ToList();
        var book = (UniswapV3Book)await new UniswapV3Adapter().ReadAsync(Section(_withLiquidity, _empty), assets, reader, default);
        // What the manifest lists is read as before (an empty pool included); discovery adds nothing twice and warns only of the missing tiers.
        Assert.Equal(new[] { _withLiquidity, _empty }.Select(p => Address.Parse(p)).Order(), book.V3Pools.Select(p => p.Address));
        Assert.Equal(UniswapV3Discovery.MissingKind, Assert.Single(reader.Warnings).Kind);
    }

    [Fact]
    public void UniswapV3_pool_init_code_hash_is_the_keccak_of_the_npm_v3_core_pool_bytecode()
    {
        var bytecode = ContractArtifact.UniswapV3(NodeModules.Locate(), "UniswapV3Pool").Bytecode;
        Assert.Equal(UniswapV3PoolAddress.PoolInitCodeHash, "0x" + Sha3Keccack.Current.CalculateHash(bytecode.HexToByteArray()).ToHex());
    }

    [Fact]
    public void UniswapV3_CREATE2_gives_mainnet_s_USDC_WETH_pools_from_mainnet_s_factory()
    {
        // Mainnet addresses as appsettings.json lists them (ADDRESSES.md: factory; the USDC/WETH 0.05 % and 0.3 % pools).
        var factory = Address.Parse("0x1F98431c8aD98523631AE4a59f267346ea31F984");
        var usdc = Address.Parse("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
        var weth = Address.Parse("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
        Assert.Equal(Address.Parse("0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640"), UniswapV3PoolAddress.Compute(factory, weth, usdc, 500));
        Assert.Equal(Address.Parse("0x8ad599c3A0ff1De082011EFDDc58f1908eb6e6D8"), UniswapV3PoolAddress.Compute(factory, usdc, weth, 3000));
    }

    /// <summary>Reads at one block over plain JSON-RPC batches; keeps the warnings.</summary>
    private sealed class PinnedReader(EthRpc rpc, long block) : IBlockReader
    {
        public List<IndexWarning> Warnings { get; } = [];
        public long ChainId => 31337;
        public long Block => block;
        public long Timestamp => 0;
        public Task ExecuteAsync(ReadBatch batch, CancellationToken ct) => batch.ExecuteAsync(rpc, block, ct);
        public IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol) => [];
        public void Report(string stage, long done, long total, string? detail = null) { }
        public void Warn(IndexWarning warning) => Warnings.Add(warning);
    }
}
