using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>Morpho Blue's part of a snapshot: every indexed singleton with its markets and positions.</summary>
public sealed partial record MorphoBlueBook(IReadOnlyList<MorphoBlueState> Instances) : ILendingBook
{
    /// <summary>The family's name in results, proposals (<c>"morpho-blue": {…}</c>) and reports.</summary>
    public const string Name = "morpho-blue";

    public string Protocol => Name;

    public int PositionCount => Instances.Sum(m => m.Positions.Count);

    public IEnumerable<(Address Asset, string Role)> AssetReferences() =>
        Instances.SelectMany(s => s.Markets).SelectMany(mk => new[]
        {
            (mk.CollateralToken, $"collateral of Morpho market {mk.Id}"),
            (mk.LoanToken, $"loan token of Morpho market {mk.Id}"),
        });
}

/// <summary>Where a snapshot's Morpho Blue book is read and replaced.</summary>
public static class MorphoBlueSnapshotExtensions
{
    /// <summary>The snapshot's Morpho Blue singletons (none when it has no Morpho book).</summary>
    public static IReadOnlyList<MorphoBlueState> MorphoBlue(this Snapshot snapshot) => snapshot.Book<MorphoBlueBook>()?.Instances ?? [];

    public static Snapshot WithMorphoBlue(this Snapshot snapshot, IReadOnlyList<MorphoBlueState> instances) =>
        snapshot.WithBook(new MorphoBlueBook(instances));
}



/// <summary>One Morpho Blue singleton with the indexed markets and positions.</summary>
public sealed record MorphoBlueState(Address Morpho, IReadOnlyList<MorphoBlueMarket> Markets, IReadOnlyList<MorphoBluePosition> Positions);

/// <summary>
/// A Morpho Blue market. <see cref="Id"/> = keccak256(abi.encode(params)) as 0x-hex. <see cref="Lltv"/>, fee: wad.
/// Totals are accrued to the snapshot block timestamp (as <c>_accrueInterest</c> would before any call),
/// so shares convert to the assets a liquidation at that block would see. <see cref="OraclePrice"/>:
/// <c>IOracle.price()</c>, one collateral base unit in loan base units × 1e36. <see cref="OracleParts"/>: the oracle's
/// composition when the indexer identified it (null: an unknown oracle, or a snapshot written before oracles were read).
/// </summary>
public sealed record MorphoBlueMarket(
    string Id,
    Address LoanToken,
    Address CollateralToken,
    Address Oracle,
    Address Irm,
    BigInteger Lltv,
    BigInteger TotalSupplyAssets,
    BigInteger TotalSupplyShares,
    BigInteger TotalBorrowAssets,
    BigInteger TotalBorrowShares,
    long LastUpdate,
    BigInteger Fee,
    BigInteger OraclePrice,
    MorphoOracleParts? OracleParts = null);

/// <summary><c>Morpho.position(id, user)</c>: shares, and collateral in base units of the collateral token.</summary>
public sealed record MorphoBluePosition(string MarketId, Address Account, BigInteger SupplyShares, BigInteger BorrowShares, BigInteger Collateral);

