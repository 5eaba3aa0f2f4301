using System.Numerics;

namespace DefiRisk.Core.Domain;

/// <summary>
/// One round of a Chainlink-style feed as its proxy presents it: the round id (phase &lt;&lt; 64 | the phase aggregator's
/// own id), the answer in the feed's decimals, and when it was updated (unix seconds).
/// </summary>
public readonly record struct OracleRound(BigInteger RoundId, BigInteger Answer, long UpdatedAt)
{
    /// <summary>Bits of a proxy round id below the phase id (Chainlink AggregatorProxy: PHASE_OFFSET).</summary>
    public const int PhaseOffset = 64;

    public int Phase => (int)(RoundId >> PhaseOffset);

    public ulong AggregatorRound => (ulong)(RoundId & ulong.MaxValue);
}

/// <summary>
/// The rounds of one market asset's oracle source read back from the chain at the snapshot's block, oldest first.
/// <see cref="Missing"/> says why there are none (the source keeps no rounds, e.g. a mock or an adapter without
/// <c>latestRoundData</c>): such an asset needs a history CSV.
/// </summary>
public sealed record OracleHistory(Address Asset, Address Feed, int Decimals, IReadOnlyList<OracleRound> Rounds, string? Missing = null);
