using System.CommandLine;
using System.Globalization;
using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// The analysis assumptions the cascade verbs share — <c>--oracle-lag</c>, <c>--gas-usd</c>, <c>--max-rounds</c>,
/// <c>--step-seconds</c> — and the one place they become <see cref="SimulationOptions"/>: the <c>Simulation</c> section of
/// appsettings.json, overridden by whichever options are given.
/// </summary>
internal sealed class SimulationInput
{
    public Option<string?> OracleLag { get; } = new("--oracle-lag") { Description = "rounds between a market move and the oracle showing it (default 0)" };
    public Option<string?> GasUsd { get; } = new("--gas-usd") { Description = "gas cost per liquidation call in USD (default 0)" };
    public Option<string?> MaxRounds { get; } = new("--max-rounds") { Description = "round limit, round 0 included (default 50)" };
    public Option<string?> StepSeconds { get; } = new("--step-seconds")
    {
        Description = $"seconds between rounds: round r runs at the snapshot's block time + r × this, which liquidation grace periods are checked against (default 12, one mainnet block; at most {MaxStepSeconds})",
    };

    /// <summary>A day: a round is one liquidation opportunity, and a longer step would skip whole grace periods (Aave's are at most 4 h).</summary>
    public const long MaxStepSeconds = 86_400;

    public Option<string?> Market { get; } = new("--market")
    {
        Description = "mainnet (default: one market price per asset with arbitrage, best execution, pair by profit, flash loans, $15 gas unless --gas-usd) " +
            "or replay (fewest-hop sales, first-pool prices, largest bonus, own funds: the model the on-chain cascade replay mirrors)",
    };

    public IEnumerable<Option> All => [OracleLag, GasUsd, MaxRounds, StepSeconds, Market];

    /// <summary>The values given (null: not given), validated: one line naming the option on bad input.</summary>
    public Overrides Read(ParseResult parse) => new(
        parse.GetValue(OracleLag) is { } l ? SnapshotSource.ParseInt(l, "--oracle-lag", 0) : null,
        parse.GetValue(GasUsd) is { } g ? SnapshotSource.ParseDecimal(g, "--gas-usd") : null,
        parse.GetValue(MaxRounds) is { } m ? SnapshotSource.ParseInt(m, "--max-rounds", 1) : null,
        parse.GetValue(StepSeconds) is { } s ? ParseStepSeconds(s) : null,
        // The market model is the default (issue 12): `--market replay` keeps the replay-mirrored one.
        parse.GetValue(Market) switch
        {
            null or "mainnet" => true,
            "replay" => false,
            var other => throw new DefiRiskException($"--market {other} is not a market model (replay or mainnet)"),
        });

    /// <summary>"60" → 60; anything but a whole number of seconds in [1, <see cref="MaxStepSeconds"/>] is one line naming the option.</summary>
    internal static long ParseStepSeconds(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxStepSeconds
            ? n : throw new DefiRiskException($"--step-seconds '{text}' must be a whole number of seconds from 1 to {MaxStepSeconds}");

    /// <summary>
    /// Command-line overrides of the analysis defaults; null leaves the default. <paramref name="MainnetMarket"/> is false here
    /// because sweep and stress (which do not take <c>--market</c>) run the replay-mirrored model; the cascade verbs pass what
    /// <see cref="Read"/> gave, mainnet unless <c>--market replay</c>.
    /// </summary>
    internal sealed record Overrides(int? OracleLag = null, decimal? GasUsd = null, int? MaxRounds = null, long? StepSeconds = null, bool MainnetMarket = false)
    {
        /// <summary>The appsettings.json defaults with these overrides applied.</summary>
        public SimulationOptions Options()
        {
            var o = AppSettings.Load().SimulationDefaults();
            if (OracleLag is { } lag) o = o with { OracleModel = lag == 0 ? ImmediateOracle.Instance : new LaggedOracle(lag) };
            if (GasUsd is { } gas)
            {
                if (gas < 0) throw new DefiRiskException($"--gas-usd {gas.ToString(CultureInfo.InvariantCulture)} must not be negative");
                // USD with 8 decimals, the analyser's unit for gas.
                o = o with { GasCostUsd = new BigInteger(decimal.Floor(gas * 100_000_000m)) };
            }
            if (MaxRounds is { } n) o = o with { MaxRounds = n };
            if (StepSeconds is { } step) o = o with { StepSeconds = step };
            if (MainnetMarket) o = WithMainnetMarket(o);
            return o;
        }
    }

    /// <summary>The market model on top of <paramref name="options"/>: one market price per asset and the market's liquidators.</summary>
    internal static SimulationOptions WithMainnetMarket(SimulationOptions options) =>
        (options with { MarketPrices = MarketPriceModel.Market }).WithMarketLiquidators();
}
