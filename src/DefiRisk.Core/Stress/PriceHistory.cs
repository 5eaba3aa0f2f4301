using System.Globalization;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Stress;

/// <summary>One observed price: unix seconds, the asset's symbol as the snapshot names it, USD.</summary>
public readonly record struct PriceObservation(long Timestamp, string Asset, double Price);

/// <summary>
/// A price history per asset (irregular observations, e.g. oracle rounds), and its log returns on a regular grid of the
/// simulation's step length: the price at each grid time is the last observation at or before it (how an on-chain
/// oracle reads between rounds). The grid runs from the latest first observation to the earliest last one, so every
/// asset has a price at every grid time.
/// </summary>
public sealed class PriceHistory
{
    private readonly SortedDictionary<string, List<(long T, double P)>> _series = new(StringComparer.OrdinalIgnoreCase);

    public PriceHistory(IEnumerable<PriceObservation> observations)
    {
        foreach (var o in observations)
        {
            if (!(o.Price > 0) || !double.IsFinite(o.Price)) throw new DefiRiskException($"history: price {o.Price} of {o.Asset} at {o.Timestamp} must be positive");
            if (!_series.TryGetValue(o.Asset, out var list)) _series[o.Asset] = list = [];
            list.Add((o.Timestamp, o.Price));
        }
        foreach (var list in _series.Values) list.Sort((a, b) => a.T.CompareTo(b.T));
    }

    public IReadOnlyCollection<string> Assets => _series.Keys;

    /// <summary>
    /// Parses the CSV format <c>timestamp,asset,price</c> (a header line naming those columns is optional; <c>#</c> starts a
    /// comment): timestamp as unix seconds or ISO 8601 (UTC unless it says otherwise), asset a symbol, price in USD.
    /// </summary>
    public static PriceHistory ParseCsv(string text, string source)
    {
        var list = new List<PriceObservation>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash].Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length != 3) throw new DefiRiskException($"{source}:{lineNo}: expected 'timestamp,asset,price', got '{line}'");
            if (list.Count == 0 && cells[0].Equals("timestamp", StringComparison.OrdinalIgnoreCase)) continue;
            long t;
            if (long.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)) t = unix;
            else if (DateTimeOffset.TryParse(cells[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)) t = when.ToUnixTimeSeconds();
            else throw new DefiRiskException($"{source}:{lineNo}: timestamp '{cells[0]}' is neither unix seconds nor ISO 8601");
            if (cells[1].Length == 0) throw new DefiRiskException($"{source}:{lineNo}: no asset");
            if (!double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !(price > 0) || !double.IsFinite(price))
                throw new DefiRiskException($"{source}:{lineNo}: price '{cells[2]}' is not a positive number");
            list.Add(new PriceObservation(t, cells[1], price));
        }
        if (list.Count == 0) throw new DefiRiskException($"{source}: no prices");
        return new PriceHistory(list);
    }

    /// <summary>
    /// The snapshot's stored oracle rounds (<see cref="Snapshot.PriceHistory"/>) as a history by symbol: each round is an
    /// observation at its <c>updatedAt</c>, answer / 10^decimals USD. Rounds answering ≤ 0 are left out (no price).
    /// Null when the snapshot holds no history; <paramref name="missing"/> names the assets read without rounds, and why.
    /// </summary>
    public static PriceHistory? FromSnapshot(Snapshot snapshot, out IReadOnlyList<string> missing)
    {
        var gaps = new List<string>();
        missing = gaps;
        if (snapshot.PriceHistory is not { } stored) return null;
        var list = new List<PriceObservation>();
        foreach (var h in stored)
        {
            var symbol = snapshot.FindAsset(h.Asset)?.Symbol ?? h.Asset.Value;
            var scale = Math.Pow(10, h.Decimals);
            var before = list.Count;
            foreach (var r in h.Rounds)
                if (r.Answer.Sign > 0) list.Add(new PriceObservation(r.UpdatedAt, symbol, (double)r.Answer / scale));
            if (list.Count - before < 2) gaps.Add(h.Missing is { } why ? $"{symbol} ({why})" : $"{symbol} ({list.Count - before} rounds in the horizon)");
            if (list.Count - before == 1) list.RemoveAt(list.Count - 1);
        }
        return list.Count == 0 ? null : new PriceHistory(list);
    }

    /// <summary>
    /// Log returns of <paramref name="assets"/> on the grid of <paramref name="stepSeconds"/>: [return index][asset], in
    /// the order given. Refuses an asset with no history and a grid with fewer than <paramref name="minReturns"/> returns.
    /// </summary>
    public double[][] LogReturns(IReadOnlyList<string> assets, long stepSeconds, int minReturns = 2)
    {
        if (stepSeconds <= 0) throw new DefiRiskException("history: the step length must be positive");
        var series = assets.Select(a => _series.TryGetValue(a, out var s) ? s : throw new DefiRiskException($"history: no prices for {a}")).ToList();
        var start = series.Max(s => s[0].T);
        var end = series.Min(s => s[^1].T);
        var points = end < start ? 0 : (end - start) / stepSeconds + 1;
        if (points - 1 < minReturns)
            throw new DefiRiskException($"history: the common window of {string.Join(", ", assets)} holds {Math.Max(0, points - 1)} returns of {stepSeconds / 60} minutes; at least {minReturns} are needed");
        var grid = new double[points][];
        var cursor = new int[series.Count];
        for (var g = 0; g < points; g++)
        {
            var t = start + g * stepSeconds;
            grid[g] = new double[series.Count];
            for (var a = 0; a < series.Count; a++)
            {
                var s = series[a];
                while (cursor[a] + 1 < s.Count && s[cursor[a] + 1].T <= t) cursor[a]++;
                grid[g][a] = s[cursor[a]].P;
            }
        }
        var returns = new double[points - 1][];
        for (var g = 1; g < points; g++)
        {
            returns[g - 1] = new double[series.Count];
            for (var a = 0; a < series.Count; a++) returns[g - 1][a] = Math.Log(grid[g][a] / grid[g - 1][a]);
        }
        return returns;
    }
}
