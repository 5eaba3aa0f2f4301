namespace DefiRisk.Core.Analysis;

/// <summary>
/// The market model a run is asked for by name — <c>--market</c> on the cascade verbs, <c>Simulation.Market</c> in
/// appsettings.json — in one place: what each name sets, which name a set of options carries (what results and reports
/// state), and the default.
/// <list type="bullet">
/// <item><see cref="Replay"/>: first-pool market prices and the router liquidator (<see cref="MarketPriceModel.FirstPool"/>,
/// <see cref="LiquidatorModel.Router"/>) — the model the on-chain replay mirrors call for call.</item>
/// <item><see cref="Mainnet"/>: one market price per asset with arbitrage (<see cref="MarketPriceModel.Market"/>) and
/// liquidators as mainnet has them (<see cref="LiquidatorModel.Market"/>, with its gas default unless a gas cost is set).</item>
/// </list>
/// </summary>
public static class MarketModelChoice
{
    public const string Replay = "replay", Mainnet = "mainnet";

    /// <summary>What a run uses when neither the command line nor appsettings.json names a model.</summary>
    public const string Default = Mainnet;

    /// <summary>Any other mix of price and liquidator models (set in code, not by name).</summary>
    public const string Custom = "custom";

    public static IReadOnlyList<string> Names { get; } = [Replay, Mainnet];

    /// <summary><paramref name="name"/> is checked by the caller (<see cref="Parse"/>); gas: the mainnet default only when none is set.</summary>
    public static SimulationOptions Apply(SimulationOptions options, string name) => name switch
    {
        Mainnet => (options with { MarketPrices = MarketPriceModel.Market }).WithMarketLiquidators(),
        _ => options with { MarketPrices = MarketPriceModel.FirstPool, Liquidators = LiquidatorModel.Router },
    };

    /// <summary>The name as given, validated: one line naming <paramref name="source"/> otherwise.</summary>
    public static string Parse(string text, string source) =>
        Names.Contains(text) ? text : throw new DefiRiskException($"{source} {text} is not a market model ({string.Join(" or ", Names)})");

    /// <summary>The name of the model <paramref name="options"/> run, as results and reports state it.</summary>
    public static string Name(SimulationOptions options) =>
        !options.MarketPrices.OnePrice && options.Liquidators.IsRouter ? Replay
        : options.MarketPrices.OnePrice && options.Liquidators == LiquidatorModel.Market ? Mainnet
        : Custom;
}
