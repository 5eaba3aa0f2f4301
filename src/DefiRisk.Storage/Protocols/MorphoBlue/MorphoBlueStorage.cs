using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Storage.Protocols.MorphoBlue;

/// <summary>Morpho Blue's book in the snapshot database (tables: <c>morpho-blue.sql</c>): per singleton its markets and positions.</summary>
public sealed class MorphoBlueStorage() : BookStorage<MorphoBlueBook, IProtocolBook>(MorphoBlueBook.Name, "morpho-blue.sql",
    "morpho_positions", "morpho_markets", "morpho_instances")
{
    protected override void Write(IDbConnection c, IDbTransaction tx, long id, MorphoBlueBook book)
    {
        foreach (var state in book.Instances) WriteInstance(c, tx, id, state);
    }

    private static void WriteInstance(IDbConnection c, IDbTransaction tx, long id, MorphoBlueState state)
    {
        var morpho = state.Morpho.Value;
        c.Execute("INSERT INTO morpho_instances (snapshot_id, morpho) VALUES (@Id, @Morpho)", new { Id = id, Morpho = morpho }, tx);
        c.Execute(
            """
            INSERT INTO morpho_markets (snapshot_id, morpho, market_id, loan_token, collateral_token, oracle, irm, lltv,
                total_supply_assets, total_supply_shares, total_borrow_assets, total_borrow_shares, last_update, fee, oracle_price)
            VALUES (@Id, @Morpho, @MarketId, @LoanToken, @CollateralToken, @Oracle, @Irm, @Lltv,
                @TotalSupplyAssets, @TotalSupplyShares, @TotalBorrowAssets, @TotalBorrowShares, @LastUpdate, @Fee, @OraclePrice)
            """,
            state.Markets.Select(m => new
            {
                Id = id, Morpho = morpho, MarketId = m.Id, LoanToken = m.LoanToken.Value, CollateralToken = m.CollateralToken.Value,
                Oracle = m.Oracle.Value, Irm = m.Irm.Value, m.Lltv, m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets,
                m.TotalBorrowShares, m.LastUpdate, m.Fee, m.OraclePrice,
            }), tx);
        c.Execute(
            """
            INSERT INTO morpho_positions (snapshot_id, morpho, market_id, account, supply_shares, borrow_shares, collateral)
            VALUES (@Id, @Morpho, @MarketId, @Account, @SupplyShares, @BorrowShares, @Collateral)
            """,
            state.Positions.Select(p => new { Id = id, Morpho = morpho, p.MarketId, Account = p.Account.Value, p.SupplyShares, p.BorrowShares, p.Collateral }), tx);
    }

    /// <summary>Singletons by address; markets by id; positions by market id, then account.</summary>
    protected override MorphoBlueBook Load(IDbConnection c, long snapshotId)
    {
        var id = new { id = snapshotId };
        var markets = c.Query<MarketRow>("SELECT * FROM morpho_markets WHERE snapshot_id = @id ORDER BY morpho, market_id", id).ToLookup(r => r.Morpho);
        var positions = c.Query<PositionRow>("SELECT * FROM morpho_positions WHERE snapshot_id = @id ORDER BY morpho, market_id, account", id).ToLookup(r => r.Morpho);
        var instances = c.Query<string>("SELECT morpho FROM morpho_instances WHERE snapshot_id = @id ORDER BY morpho", id)
            .Select(mo => new MorphoBlueState(A(mo),
                markets[mo].Select(m => new MorphoBlueMarket(m.MarketId, A(m.LoanToken), A(m.CollateralToken), A(m.Oracle), A(m.Irm), m.Lltv,
                    m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets, m.TotalBorrowShares, m.LastUpdate, m.Fee, m.OraclePrice)).ToList(),
                positions[mo].Select(p => new MorphoBluePosition(p.MarketId, A(p.Account), p.SupplyShares, p.BorrowShares, p.Collateral)).ToList()))
            .ToList();
        return new MorphoBlueBook(instances);
    }

    /// <summary>Positions (one per market and account).</summary>
    public override long Count(IDbConnection c, long snapshotId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM morpho_positions WHERE snapshot_id = @snapshotId", new { snapshotId });

    protected override void AppendCanonical(StringBuilder b, MorphoBlueBook book)
    {
        foreach (var mo in book.Instances.OrderBy(m => m.Morpho))
        {
            b.AppendLine($"morpho {mo.Morpho}");
            foreach (var m in mo.Markets.OrderBy(m => m.Id, StringComparer.Ordinal))
                b.AppendLine($"  market {m.Id} {m.LoanToken} {m.CollateralToken} {m.Oracle} {m.Irm} lltv {m.Lltv} supply {m.TotalSupplyAssets}/{m.TotalSupplyShares} " +
                             $"borrow {m.TotalBorrowAssets}/{m.TotalBorrowShares} last {m.LastUpdate} fee {m.Fee} price {m.OraclePrice}");
            foreach (var p in mo.Positions.OrderBy(p => p.MarketId, StringComparer.Ordinal).ThenBy(p => p.Account))
                b.AppendLine($"  position {p.MarketId} {p.Account} {p.SupplyShares} {p.BorrowShares} {p.Collateral}");
        }
    }

#pragma warning disable CA1812
    private sealed class MarketRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string LoanToken { get; set; } = "";
        public string CollateralToken { get; set; } = ""; public string Oracle { get; set; } = ""; public string Irm { get; set; } = "";
        public BigInteger Lltv { get; set; } public BigInteger TotalSupplyAssets { get; set; } public BigInteger TotalSupplyShares { get; set; }
        public BigInteger TotalBorrowAssets { get; set; } public BigInteger TotalBorrowShares { get; set; } public long LastUpdate { get; set; }
        public BigInteger Fee { get; set; } public BigInteger OraclePrice { get; set; }
    }
    private sealed class PositionRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string Account { get; set; } = "";
        public BigInteger SupplyShares { get; set; } public BigInteger BorrowShares { get; set; } public BigInteger Collateral { get; set; }
    }
#pragma warning restore CA1812
}
