using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// Morpho LLTVs are immutable per market, so a proposal moves positions to another market of the same
/// pair with the new LLTV (wad); <see cref="Share"/> (wad) of the borrowers migrate, healthiest-first not modelled: pro-rata by account order.
/// </summary>
public sealed record MorphoBlueMigration(string Market, BigInteger NewLltv, BigInteger Share);

/// <summary>
/// A proposal's Morpho Blue changes: LLTV migrations. A migration moves a share of a market's borrowers, with their
/// shares, collateral and the market's share price, into a new market of the same pair with the new LLTV (Morpho LLTVs
/// are immutable, so that is the only way such a change happens).
/// </summary>
public sealed record MorphoBlueChanges(IReadOnlyList<MorphoBlueMigration> Migrations) : IProtocolChange
{
    public string Protocol => MorphoBlueBook.Name;

    /// <summary>Any migration moves borrowers to a new market (a zero share is refused by the parser).</summary>
    public bool ChangesAnything(Snapshot baseline) => Migrations.Count > 0;

    public Snapshot Apply(Snapshot snapshot) =>
        snapshot.Book<MorphoBlueBook>() is { } book ? snapshot.WithBook(new MorphoBlueBook(book.Instances.Select(m => ApplyTo(m, this)).ToList())) : snapshot;

    private static MorphoBlueState ApplyTo(MorphoBlueState state, MorphoBlueChanges changes)
    {
        if (changes.Migrations.Count == 0) return state;
        var markets = state.Markets.ToList();
        var positions = state.Positions.ToList();
        foreach (var migration in changes.Migrations)
        {
            var source = markets.FirstOrDefault(m => m.Id == migration.Market);
            if (source is null) continue;
            var borrowers = positions.Where(p => p.MarketId == source.Id && !p.BorrowShares.IsZero).OrderBy(p => p.Account).ToList();
            var moving = (int)(borrowers.Count * migration.Share / Numerics.FixedPoint.Wad);
            if (moving == 0) continue;
            var moved = borrowers.Take(moving).ToList();
            var targetId = $"{source.Id}@lltv={Numerics.FixedPoint.FormatFixed(migration.NewLltv, 18)}";

            // Carry the share price over: the moved shares keep the assets they stood for.
            BigInteger movedShares = 0, movedAssets = 0;
            foreach (var p in moved)
            {
                movedShares += p.BorrowShares;
                movedAssets += MorphoBlueMath.BorrowedAssets(source, p.BorrowShares);
            }
            var target = source with
            {
                Id = targetId,
                Lltv = migration.NewLltv,
                TotalBorrowShares = movedShares,
                TotalBorrowAssets = movedAssets,
                TotalSupplyAssets = movedAssets,
                TotalSupplyShares = movedShares,
            };
            var remaining = source with
            {
                TotalBorrowShares = source.TotalBorrowShares - movedShares,
                TotalBorrowAssets = BigInteger.Max(0, source.TotalBorrowAssets - movedAssets),
                TotalSupplyAssets = BigInteger.Max(0, source.TotalSupplyAssets - movedAssets),
            };
            markets[markets.IndexOf(source)] = remaining;
            markets.Add(target);
            var movedSet = moved.ToHashSet();
            positions = positions.Select(p => movedSet.Contains(p) ? p with { MarketId = targetId } : p).ToList();
        }
        return state with { Markets = markets, Positions = positions };
    }
}

/// <summary>The <c>"morpho-blue"</c> section of a proposal file: <c>migrations</c> (market by id or COLLATERAL/LOAN symbols).</summary>
public sealed class MorphoBlueProposalSection : IProposalSection
{
    public string Key => MorphoBlueBook.Name;

    public IProtocolChange Read(JsonElement morpho, string p, ProposalReader r)
    {
        r.Keys(morpho, p, "migrations");
        var migrations = new List<MorphoBlueMigration>();
        if (morpho.TryGetProperty("migrations", out var ms))
        {
            r.Expect(ms, p + ".migrations", JsonValueKind.Array);
            var i = 0;
            foreach (var m in ms.EnumerateArray())
            {
                var path = $"{p}.migrations[{i++}]";
                var migration = ReadMigration(r, m, path);
                // A market's borrowers can move once: a second migration of the same market would double-count them.
                if (migrations.Any(x => x.Market == migration.Market))
                    throw r.Error(path + ".market", "this market is already migrated by an earlier entry");
                migrations.Add(migration);
            }
        }
        return new MorphoBlueChanges(migrations);
    }

    private static MorphoBlueMigration ReadMigration(ProposalReader r, JsonElement e, string p)
    {
        r.Expect(e, p, JsonValueKind.Object);
        r.Keys(e, p, "market", "lltv", "share");
        var marketKey = r.OptString(e, "market", p) ?? throw r.Error(p + ".market", "missing");
        var market = FindMorphoMarket(r, marketKey) ?? throw r.Error(p + ".market", $"no Morpho Blue market '{marketKey}' in the snapshot (use its id or COLLATERAL/LOAN symbols)");
        var lltv = e.TryGetProperty("lltv", out var l) ? r.Wad(l, p + ".lltv", 0m, 0.9999m, percent: true) : throw r.Error(p + ".lltv", "missing");
        var share = e.TryGetProperty("share", out var s) ? r.Wad(s, p + ".share", 0m, 1m, percent: true) : FixedPoint.Wad;
        return new MorphoBlueMigration(market.Id, lltv, share);
    }

    private static MorphoBlueMarket? FindMorphoMarket(ProposalReader r, string key)
    {
        var markets = r.Snapshot.MorphoBlue().SelectMany(m => m.Markets).ToList();
        var byId = markets.FirstOrDefault(m => string.Equals(m.Id, key, StringComparison.OrdinalIgnoreCase));
        if (byId is not null) return byId;
        var parts = key.Split('/');
        if (parts.Length != 2) return null;
        var matches = markets.Where(m =>
            string.Equals(r.Snapshot.FindAsset(m.CollateralToken)?.Symbol, parts[0], StringComparison.OrdinalIgnoreCase) &&
            string.Equals(r.Snapshot.FindAsset(m.LoanToken)?.Symbol, parts[1], StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }
}
