using System.Numerics;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>
/// Reads each market asset's oracle round history back from the chain at the snapshot's block: from the source's
/// <c>latestRoundData</c>, <c>getRoundData</c> walks the round ids backwards in batches until a round is older than the
/// horizon (that round is kept: it is the price at the window's start). A Chainlink AggregatorProxy presents ids as
/// phase &lt;&lt; 64 | the phase aggregator's own id, and the aggregator ids start at 1, so when a phase runs out (id 1
/// read, or a round that reverts) the walk continues in the previous phase, from the latest round of
/// <c>phaseAggregators(phase − 1)</c>, through the proxy again. A source without <c>phaseId()</c> is walked as one
/// aggregator. A source without <c>latestRoundData</c> (a mock, an adapter) has no history: the result says so.
/// Exchange-rate assets are not read (their oracle is ratio × the base feed, whose history is read).
/// </summary>
public sealed class OracleHistoryReader(EthRpc rpc, IProgress<IndexProgress>? progress = null)
{
    /// <summary>Rounds asked for per batch.</summary>
    public const int BatchRounds = 100;
    /// <summary>A feed is not walked beyond this many rounds (about 2 years of hourly rounds).</summary>
    public const int MaxRounds = 20_000;

    private static readonly BigInteger AggregatorMask = ulong.MaxValue;

    public const string Stage = "read oracle history";

    /// <summary>The history of every market asset of <paramref name="snapshot"/> over <paramref name="horizonSeconds"/> before its block.</summary>
    public async Task<IReadOnlyList<OracleHistory>> ReadAsync(Snapshot snapshot, long horizonSeconds, CancellationToken ct)
    {
        if (horizonSeconds <= 0) throw new DefiRiskException("the oracle history horizon must be positive");
        var block = snapshot.Chain.BlockNumber;
        var since = snapshot.Chain.BlockTimestamp - horizonSeconds;
        var market = snapshot.Assets.Where(a => a.Oracle.Kind == OracleKind.Market).ToList();
        var byFeed = new Dictionary<Address, (int Decimals, IReadOnlyList<OracleRound> Rounds, string? Missing)>();
        var result = new List<OracleHistory>();
        for (var i = 0; i < market.Count; i++)
        {
            var asset = market[i];
            progress?.Report(new IndexProgress(Stage, i, market.Count, asset.Symbol));
            if (!byFeed.TryGetValue(asset.Oracle.Source, out var read))
                byFeed[asset.Oracle.Source] = read = await ReadFeedAsync(asset.Oracle.Source.Value, block, since, ct);
            result.Add(new OracleHistory(asset.Address, asset.Oracle.Source, read.Decimals, read.Rounds, read.Missing));
        }
        progress?.Report(new IndexProgress(Stage, market.Count, market.Count, $"{result.Sum(h => h.Rounds.Count)} rounds"));
        return result;
    }

    private async Task<(int Decimals, IReadOnlyList<OracleRound> Rounds, string? Missing)> ReadFeedAsync(string feed, long block, long since, CancellationToken ct)
    {
        var head = new ReadBatch();
        var latest = head.Add<LatestRoundDataFunction, RoundDataOutput>(feed, new());
        var decimals = head.Add<DecimalsFunction, Uint8Output>(feed, new());
        var phaseId = head.Add<PhaseIdFunction, Uint16Output>(feed, new());
        await head.ExecuteAsync(rpc, block, ct);
        if (!latest.Ok) return (8, [], "its source answers no latestRoundData (it keeps no rounds)");
        if (!decimals.Ok) return (8, [], "its source answers no decimals()");

        var rounds = new List<OracleRound> { Round(latest.Value) };
        var proxy = phaseId.Ok && phaseId.Value.Value > 0;
        var phase = proxy ? (int)phaseId.Value.Value : 0;
        var next = (ulong)(latest.Value.RoundId & AggregatorMask);
        var done = (long)latest.Value.UpdatedAt < since;
        while (!done && rounds.Count < MaxRounds)
        {
            // The next batch: aggregator ids next-1 down to 1 in this phase.
            var ids = new List<ulong>();
            for (var id = next - 1; id >= 1 && ids.Count < BatchRounds; id--) ids.Add(id);
            var phaseEnded = ids.Count == 0;
            if (ids.Count > 0)
            {
                var batch = new ReadBatch();
                var replies = ids.Select(id => batch.Add<GetRoundDataFunction, RoundDataOutput>(feed, new() { RoundId = ((BigInteger)phase << OracleRound.PhaseOffset) | id })).ToList();
                await batch.ExecuteAsync(rpc, block, ct);
                foreach (var reply in replies)
                {
                    if (!reply.Ok || reply.Value.UpdatedAt.IsZero) { phaseEnded = true; break; }
                    rounds.Add(Round(reply.Value));
                    if ((long)reply.Value.UpdatedAt < since || rounds.Count >= MaxRounds) { done = true; break; }
                }
                next = ids[^1];
                if (next == 1) phaseEnded = true;
            }
            if (done || !phaseEnded) continue;
            if (!proxy || phase <= 1) break;
            // The previous phase's aggregator: its latest round is where the walk resumes (through the proxy).
            var previous = new ReadBatch();
            var aggregator = previous.Add<PhaseAggregatorsFunction, AddressOutput>(feed, new() { PhaseId = (ushort)(phase - 1) });
            await previous.ExecuteAsync(rpc, block, ct);
            if (!aggregator.Ok || new BigInteger(Convert.FromHexString(aggregator.Value.Value[2..]), isUnsigned: true, isBigEndian: true).IsZero) break;
            var last = new ReadBatch();
            var lastRound = last.Add<LatestRoundDataFunction, RoundDataOutput>(aggregator.Value.Value, new());
            await last.ExecuteAsync(rpc, block, ct);
            if (!lastRound.Ok) break;
            phase--;
            next = (ulong)(lastRound.Value.RoundId & AggregatorMask) + 1;
        }
        rounds.Sort((a, b) => a.RoundId.CompareTo(b.RoundId));
        return (decimals.Value.Value, rounds, null);
    }

    private static OracleRound Round(RoundDataOutput r) => new(r.RoundId, r.Answer, (long)r.UpdatedAt);
}
