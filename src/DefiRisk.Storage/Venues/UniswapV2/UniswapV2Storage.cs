using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV2;

namespace DefiRisk.Storage.Venues.UniswapV2;

/// <summary>Uniswap v2's book in the snapshot database (table: <c>uniswap-v2.sql</c>): the indexed pairs and their reserves.</summary>
public sealed class UniswapV2Storage() : BookStorage<UniswapV2Book, IVenueBook>(UniswapV2Book.Name, "uniswap-v2.sql", "uniswap_v2_pools")
{
    protected override void Write(IDbConnection c, IDbTransaction tx, long id, UniswapV2Book book) =>
        c.Execute(
            "INSERT INTO uniswap_v2_pools (snapshot_id, pair, token0, token1, reserve0, reserve1) VALUES (@Id, @Pair, @Token0, @Token1, @Reserve0, @Reserve1)",
            book.Pairs.Select(p => new { Id = id, Pair = p.Pair.Value, Token0 = p.Token0.Value, Token1 = p.Token1.Value, p.Reserve0, p.Reserve1 }), tx);

    /// <summary>Pairs by address.</summary>
    protected override UniswapV2Book Load(IDbConnection c, long snapshotId) =>
        new(c.Query<PoolRow>("SELECT * FROM uniswap_v2_pools WHERE snapshot_id = @snapshotId ORDER BY pair", new { snapshotId })
            .Select(p => new UniswapV2Pool(A(p.Pair), A(p.Token0), A(p.Token1), p.Reserve0, p.Reserve1)).ToList());

    /// <summary>Pairs.</summary>
    public override long Count(IDbConnection c, long snapshotId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM uniswap_v2_pools WHERE snapshot_id = @snapshotId", new { snapshotId });

    protected override void AppendCanonical(StringBuilder b, UniswapV2Book book)
    {
        foreach (var p in book.Pairs.OrderBy(p => p.Pair))
            b.AppendLine($"pair {p.Pair} {p.Token0} {p.Token1} {p.Reserve0} {p.Reserve1}");
    }

#pragma warning disable CA1812
    private sealed class PoolRow
    {
        public string Pair { get; set; } = ""; public string Token0 { get; set; } = ""; public string Token1 { get; set; } = "";
        public BigInteger Reserve0 { get; set; } public BigInteger Reserve1 { get; set; }
    }
#pragma warning restore CA1812
}
