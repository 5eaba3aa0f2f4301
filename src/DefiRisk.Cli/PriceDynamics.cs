using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Cli;

/// <summary>
/// How the one market price moves beyond the sales: a recovery half-life and groups of assets a shock moves together
/// (<see cref="MarketPriceModel"/>). Only the market model has one price to move; asked of the replay model, one line.
/// </summary>
internal sealed record PriceDynamics(double? RecoveryHalfLifeRounds, IReadOnlyList<IReadOnlyList<string>>? CorrelationGroups)
{
    public SimulationOptions Apply(SimulationOptions o, string source)
    {
        if (!o.MarketPrices.OnePrice)
            throw new DefiRiskException($"{source} move the one market price: they need --market {MarketModelChoice.Mainnet} (the replay model re-prices each route's first pool)");
        var m = o.MarketPrices;
        if (RecoveryHalfLifeRounds is { } h) m = m with { RecoveryHalfLifeRounds = h };
        if (CorrelationGroups is { } g) m = m with { CorrelationGroups = g };
        return o with { MarketPrices = m };
    }

    /// <summary>"6" or "2.5" rounds: a number in (0, 1000], else one line naming <paramref name="source"/>.</summary>
    public static double ParseHalfLife(string text, string source) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var h) && h > 0 && h <= 1000
            ? h : throw new DefiRiskException($"{source} '{text}' must be a number of rounds above 0 and at most 1000");

    /// <summary>"WBTC,cbBTC" → its members (at least two, none twice); resolved against the snapshot when a cascade starts.</summary>
    public static IReadOnlyList<string> ParseGroup(string text, string source)
    {
        var members = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (members.Length < 2) throw new DefiRiskException($"{source}: a correlation group names at least two assets, comma-separated (e.g. WBTC,cbBTC)");
        if (members.Distinct(StringComparer.OrdinalIgnoreCase).Count() < members.Length) throw new DefiRiskException($"{source}: an asset is named twice");
        return members;
    }
}

