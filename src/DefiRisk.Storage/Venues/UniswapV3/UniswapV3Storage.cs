using System.Data;
using System.Globalization;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Storage.Venues.UniswapV3;

/// <summary>
/// Uniswap v3's book in the snapshot database (tables: <c>uniswap-v3.sql</c>): each pool's price state and the bitmap
/// words read, and its initialized ticks with their signed liquidityNet.
/// </summary>
public sealed class UniswapV3Storage() : BookStorage<UniswapV3Book, Core.Domain.IVenueBook>(UniswapV3Book.Name, "uniswap-v3.sql", "uniswap_v3_ticks", "uniswap_v3_pools")
{
    protected override void Write(IDbConnection c, IDbTransaction tx, long id, UniswapV3Book book)
    {
        c.Execute(
            """
            INSERT INTO uniswap_v3_pools (snapshot_id, pool, token0, token1, sqrt_price_x96, tick, liquidity, fee, tick_spacing, first_word, last_word)
            VALUES (@Id, @Pool, @Token0, @Token1, @SqrtPriceX96, @Tick, @Liquidity, @Fee, @TickSpacing, @FirstWord, @LastWord)
            """,
            book.V3Pools.Select(p => new
            {
                Id = id, Pool = p.Address.Value, Token0 = p.Token0.Value, Token1 = p.Token1.Value, p.State.SqrtPriceX96, p.State.Tick, p.State.Liquidity,
                p.State.Fee, p.State.TickSpacing, FirstWord = p.State.KnownWords.First, LastWord = p.State.KnownWords.Last,
            }), tx);
        c.Execute(
            "INSERT INTO uniswap_v3_ticks (snapshot_id, pool, tick, liquidity_net) VALUES (@Id, @Pool, @Tick, @LiquidityNet)",
            book.V3Pools.SelectMany(p => p.State.Ticks.Select(t => new
            {
                Id = id, Pool = p.Address.Value, Tick = t.Index, LiquidityNet = t.LiquidityNet.ToString(CultureInfo.InvariantCulture),
            })), tx);
    }

    /// <summary>Pools by address, ticks ascending.</summary>
    protected override UniswapV3Book Load(IDbConnection c, long snapshotId)
    {
        var ticks = c.Query<TickRow>("SELECT pool, tick, liquidity_net FROM uniswap_v3_ticks WHERE snapshot_id = @snapshotId ORDER BY pool, tick", new { snapshotId })
            .GroupBy(t => t.Pool)
            .ToDictionary(g => g.Key, g => g.Select(t => new UniswapV3Tick((int)t.Tick, BigInteger.Parse(t.LiquidityNet, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))).ToList());
        return new(c.Query<PoolRow>("SELECT * FROM uniswap_v3_pools WHERE snapshot_id = @snapshotId ORDER BY pool", new { snapshotId })
            .Select(p => new UniswapV3Pool(A(p.Pool), A(p.Token0), A(p.Token1), new UniswapV3PoolState(p.SqrtPriceX96, (int)p.Tick, p.Liquidity, (int)p.Fee,
                (int)p.TickSpacing, ticks.GetValueOrDefault(p.Pool) ?? [], new UniswapV3BitmapWords((int)p.FirstWord, (int)p.LastWord)))).ToList());
    }

    /// <summary>Pools.</summary>
    public override long Count(IDbConnection c, long snapshotId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM uniswap_v3_pools WHERE snapshot_id = @snapshotId", new { snapshotId });

    protected override void AppendCanonical(StringBuilder b, UniswapV3Book book)
    {
        foreach (var p in book.V3Pools.OrderBy(p => p.Address))
        {
            var s = p.State;
            b.AppendLine(CultureInfo.InvariantCulture, $"v3pool {p.Address} {p.Token0} {p.Token1} {s.SqrtPriceX96} {s.Tick} {s.Liquidity} {s.Fee} {s.TickSpacing} words {s.KnownWords.First}..{s.KnownWords.Last}");
            foreach (var t in s.Ticks) b.AppendLine(CultureInfo.InvariantCulture, $"v3tick {p.Address} {t.Index} {t.LiquidityNet}");
        }
    }

#pragma warning disable CA1812
    private sealed class PoolRow
    {
        public string Pool { get; set; } = ""; public string Token0 { get; set; } = ""; public string Token1 { get; set; } = "";
        public BigInteger SqrtPriceX96 { get; set; } public long Tick { get; set; } public BigInteger Liquidity { get; set; }
        public long Fee { get; set; } public long TickSpacing { get; set; } public long FirstWord { get; set; } public long LastWord { get; set; }
    }

    private sealed class TickRow
    {
        public string Pool { get; set; } = ""; public long Tick { get; set; } public string LiquidityNet { get; set; } = "";
    }
#pragma warning restore CA1812
}
