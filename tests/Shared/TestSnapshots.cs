using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Tests;

/// <summary>Test shorthands shared by the test projects: the two bundled families' names, and snapshots and proposals by part.</summary>
internal static class ProtocolNames
{
    public const string AaveV3 = AaveV3Book.Name;
    public const string MorphoBlue = MorphoBlueBook.Name;
}

internal static class TestSnapshot
{
    /// <summary>A snapshot with an Aave v3 book, a Morpho Blue book and Uniswap v2 pairs, in the indexer's order.</summary>
    public static Snapshot Create(ChainPoint chain, IReadOnlyList<Asset> assets, IReadOnlyList<AaveV3MarketState> aave,
        IReadOnlyList<MorphoBlueState> morpho, IReadOnlyList<UniswapV2Pool> pools) =>
        new(chain, assets, [new AaveV3Book(aave), new MorphoBlueBook(morpho)], [new UniswapV2Book(pools)]);
}

internal static class TestProposal
{
    /// <summary>A proposal from its parts; a family's section is left out when it changes nothing.</summary>
    public static Proposal Create(string name, string description, IReadOnlyList<AaveV3ReserveChange> reserves, IReadOnlyList<AaveV3EModeChange> emodes,
        AaveV3CloseFactorChange? closeFactor, IReadOnlyList<MorphoBlueMigration> migrations, BreakerSettings breakers)
    {
        var changes = new List<IProtocolChange>();
        if (reserves.Count > 0 || emodes.Count > 0 || closeFactor is not null) changes.Add(new AaveV3Changes(reserves, emodes, closeFactor));
        if (migrations.Count > 0) changes.Add(new MorphoBlueChanges(migrations));
        return new Proposal(name, description, changes, breakers);
    }

    public static IReadOnlyList<AaveV3ReserveChange> AaveV3Reserves(this Proposal p) => p.Change<AaveV3Changes>()?.Reserves ?? [];
    public static IReadOnlyList<AaveV3EModeChange> AaveV3EModes(this Proposal p) => p.Change<AaveV3Changes>()?.EModes ?? [];
    public static AaveV3CloseFactorChange? AaveV3CloseFactor(this Proposal p) => p.Change<AaveV3Changes>()?.CloseFactor;
    public static IReadOnlyList<MorphoBlueMigration> MorphoBlueMigrations(this Proposal p) => p.Change<MorphoBlueChanges>()?.Migrations ?? [];
}
