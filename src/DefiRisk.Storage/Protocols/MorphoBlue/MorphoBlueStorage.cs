using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Storage.Protocols.MorphoBlue;

/// <summary>Morpho Blue's book in the snapshot database (tables: <c>morpho-blue.sql</c>): per singleton its markets and positions.</summary>
public sealed class MorphoBlueStorage() : BookStorage<MorphoBlueBook, IProtocolBook>(MorphoBlueBook.Name, "morpho-blue.sql",
    "morpho_oracle_feeds", "morpho_oracles", "morpho_positions", "morpho_markets", "morpho_instances")
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
        var composed = state.Markets.Where(m => m.OracleParts is { Kind: not MorphoOracleKind.Unknown }).ToList();
        c.Execute(
            """
            INSERT INTO morpho_oracles (snapshot_id, morpho, market_id, kind, scale_factor, base_vault, base_vault_sample, base_vault_assets,
                quote_vault, quote_vault_sample, quote_vault_assets)
            VALUES (@Id, @Morpho, @MarketId, @Kind, @ScaleFactor, @BaseVault, @BaseVaultSample, @BaseVaultAssets, @QuoteVault, @QuoteVaultSample, @QuoteVaultAssets)
            """,
            composed.Select(m => m.OracleParts!).Zip(composed, (o, m) => new
            {
                Id = id, Morpho = morpho, MarketId = m.Id, Kind = o.Kind.ToString(), o.ScaleFactor, BaseVault = o.BaseVault.Value, o.BaseVaultSample,
                o.BaseVaultAssets, QuoteVault = o.QuoteVault.Value, o.QuoteVaultSample, o.QuoteVaultAssets,
            }), tx);
        c.Execute(
            """
            INSERT INTO morpho_oracle_feeds (snapshot_id, morpho, market_id, slot, feed, answer, follows)
            VALUES (@Id, @Morpho, @MarketId, @Slot, @Feed, @Answer, @Follows)
            """,
            composed.SelectMany(m => m.OracleParts!.Feeds.Select((f, slot) => (f, slot)).Where(t => t.f is not null).Select(t => new
            {
                Id = id, Morpho = morpho, MarketId = m.Id, Slot = t.slot, Feed = t.f!.Feed.Value, t.f.Answer, Follows = t.f.Follows?.Value,
            })), tx);
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
        var oracles = c.Query<OracleRow>("SELECT * FROM morpho_oracles WHERE snapshot_id = @id", id).ToDictionary(r => (r.Morpho, r.MarketId));
        var feeds = c.Query<FeedRow>("SELECT * FROM morpho_oracle_feeds WHERE snapshot_id = @id", id).ToLookup(r => (r.Morpho, r.MarketId));
        MorphoOracleParts? Parts(string mo, string market)
        {
            if (!oracles.TryGetValue((mo, market), out var o)) return null;
            var slots = new MorphoOracleFeed?[4];
            foreach (var f in feeds[(mo, market)]) slots[f.Slot] = new MorphoOracleFeed(A(f.Feed), f.Answer, f.Follows is null ? null : A(f.Follows));
            return new MorphoOracleParts(Enum.Parse<MorphoOracleKind>(o.Kind), o.ScaleFactor, A(o.BaseVault), o.BaseVaultSample, o.BaseVaultAssets,
                A(o.QuoteVault), o.QuoteVaultSample, o.QuoteVaultAssets, slots);
        }
        var positions = c.Query<PositionRow>("SELECT * FROM morpho_positions WHERE snapshot_id = @id ORDER BY morpho, market_id, account", id).ToLookup(r => r.Morpho);
        var instances = c.Query<string>("SELECT morpho FROM morpho_instances WHERE snapshot_id = @id ORDER BY morpho", id)
            .Select(mo => new MorphoBlueState(A(mo),
                markets[mo].Select(m => new MorphoBlueMarket(m.MarketId, A(m.LoanToken), A(m.CollateralToken), A(m.Oracle), A(m.Irm), m.Lltv,
                    m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets, m.TotalBorrowShares, m.LastUpdate, m.Fee, m.OraclePrice, Parts(mo, m.MarketId))).ToList(),
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
                             $"borrow {m.TotalBorrowAssets}/{m.TotalBorrowShares} last {m.LastUpdate} fee {m.Fee} price {m.OraclePrice}" +
                             (m.OracleParts is { Kind: not MorphoOracleKind.Unknown } o
                                 ? $" oracle {o.Kind} scale {o.ScaleFactor} base {o.BaseVault} {o.BaseVaultSample}→{o.BaseVaultAssets} quote {o.QuoteVault} {o.QuoteVaultSample}→{o.QuoteVaultAssets} feeds " +
                                   string.Join(",", o.Feeds.Select(f => f is null ? "-" : $"{f.Feed}={f.Answer}~{f.Follows?.Value ?? "held"}"))
                                 : ""));
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
    private sealed class OracleRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string Kind { get; set; } = "";
        public BigInteger ScaleFactor { get; set; } public string BaseVault { get; set; } = ""; public BigInteger BaseVaultSample { get; set; }
        public BigInteger BaseVaultAssets { get; set; } public string QuoteVault { get; set; } = ""; public BigInteger QuoteVaultSample { get; set; }
        public BigInteger QuoteVaultAssets { get; set; }
    }
    private sealed class FeedRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public int Slot { get; set; }
        public string Feed { get; set; } = ""; public BigInteger Answer { get; set; } public string? Follows { get; set; }
    }
    private sealed class PositionRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string Account { get; set; } = "";
        public BigInteger SupplyShares { get; set; } public BigInteger BorrowShares { get; set; } public BigInteger Collateral { get; set; }
    }
#pragma warning restore CA1812
}
