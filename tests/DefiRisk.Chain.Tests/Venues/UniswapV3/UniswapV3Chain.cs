using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Harness;
using DefiRisk.Harness.Venues.UniswapV3;

namespace DefiRisk.Chain.Tests.Venues.UniswapV3;

/// <summary>
/// One anvil with the real Uniswap v3 factory and one pool per fee tier (100/1, 500/10, 3000/60, 10000/200) for the same
/// token pair, each holding <see cref="Positions"/> in units of its tick spacing. The model state of each pool is built
/// from the same positions, independently of the chain (<see cref="UniswapV3Positions.PoolState"/>). Tests revert to the
/// state after setup with <see cref="ResetAsync"/>.
/// </summary>
public sealed class UniswapV3Chain : IAsyncLifetime
{
    /// <summary>
    /// (lower, upper, liquidity) in tick spacings: a wide range whose ends lie in other bitmap words; stacked ranges below
    /// and above the price (liquidity out of range, a cliff at 40–50); two ranges meeting at 20, where the nets cancel but
    /// the tick stays initialized; and a deep range past an empty gap (−300…−500), below which the pool runs dry.
    /// </summary>
    public static readonly (int Lower, int Upper, BigInteger Liquidity)[] Positions =
    [
        (-300, 300, E(2, 21)),
        (-20, 20, E(5, 21)),
        (-60, -10, E(3, 21)),
        (-120, -40, E(4, 21)),
        (10, 80, E(6, 21)),
        (40, 50, E(1, 22)),
        (20, 30, E(5, 21)),
        (-700, -500, E(1, 21)),
    ];

    public AnvilNode Node { get; private set; } = null!;
    public UniswapV3Harness Uniswap { get; private set; } = null!;
    /// <summary>Per fee tier: the pool address, its block after setup and the model state built from the positions.</summary>
    public IReadOnlyList<(int Fee, int Spacing, string Pool, UniswapV3PoolState Model)> Pools { get; private set; } = [];
    public long SetupBlock { get; private set; }
    private string _snapshot = "";

    public async Task InitializeAsync()
    {
        var nodeModules = NodeModules.Locate();
        Node = await AnvilNode.StartAsync(new AnvilOptions { Timestamp = 1_700_000_000 }, nodeModules);
        Uniswap = await UniswapV3Harness.DeployAsync(Node, nodeModules);
        var pools = new List<(int, int, string, UniswapV3PoolState)>();
        foreach (var (fee, spacing) in UniswapV3Harness.FeeTiers)
        {
            // Between ticks 0 and 1, not on a boundary.
            var sqrtPrice = (TickMath.GetSqrtRatioAtTick(0) + TickMath.GetSqrtRatioAtTick(1)) / 2;
            var pool = await Uniswap.CreatePoolAsync(fee, sqrtPrice);
            foreach (var (lower, upper, liquidity) in Positions)
                await Uniswap.MintAsync(pool, lower * spacing, upper * spacing, liquidity);
            var model = UniswapV3Positions.PoolState(sqrtPrice, fee, spacing, Positions.Select(p => new UniswapV3Position(p.Lower * spacing, p.Upper * spacing, p.Liquidity)));
            pools.Add((fee, spacing, pool, model));
        }
        Pools = pools;
        SetupBlock = await Node.BlockNumberAsync();
        _snapshot = await Node.SnapshotAsync();
    }

    /// <summary>Back to the chain as setup left it (a snapshot id is used once: take the next one).</summary>
    public async Task ResetAsync()
    {
        if (!await Node.RevertAsync(_snapshot)) throw new InvalidOperationException("evm_revert refused the setup snapshot");
        _snapshot = await Node.SnapshotAsync();
    }

    public async Task DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
    }

    private static BigInteger E(int mantissa, int exponent) => mantissa * BigInteger.Pow(10, exponent);
}

[CollectionDefinition(Name)]
public sealed class UniswapV3ChainCollection : ICollectionFixture<UniswapV3Chain>
{
    public const string Name = "uniswap v3 chain";
}
