using System.CommandLine;
using System.Globalization;
using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// The analysis assumptions the cascade verbs share — <c>--oracle-lag</c>, <c>--gas-usd</c>, <c>--max-rounds</c>,
/// <c>--step-seconds</c>, <c>--market</c>, <c>--recovery-half-life</c>, <c>--correlate</c> — and the one place they become <see cref="SimulationOptions"/>: the <c>Simulation</c> section of
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
        Description = $"market model: replay (fewest-hop sales, first-pool prices, what the on-chain replay mirrors) or mainnet (one market price per asset with arbitrage, best execution, pair by profit, flash loans, $15 gas unless --gas-usd); default appsettings' Simulation.Market, else {MarketModelChoice.Default}",
    };

    public Option<string?> RecoveryHalfLife { get; } = new("--recovery-half-life")
    {
        Description = "rounds for half of the sales' price impact to fade back to the shock-only price (market model only; default appsettings' Simulation.RecoveryHalfLifeRounds, else none: impact is permanent)",
    };

    public Option<string[]> Correlate { get; } = new("--correlate")
    {
        Description = "assets that move together under one shock, e.g. WBTC,cbBTC (symbols or addresses; repeat for more groups; market model only; default appsettings' Simulation.CorrelationGroups)",
        AllowMultipleArgumentsPerToken = false,
    };

    public IEnumerable<Option> All => [OracleLag, GasUsd, MaxRounds, StepSeconds, Market, RecoveryHalfLife, Correlate];

    /// <summary>The values given (null: not given), validated: one line naming the option on bad input.</summary>
    public Overrides Read(ParseResult parse) => new(
        parse.GetValue(OracleLag) is { } l ? SnapshotSource.ParseInt(l, "--oracle-lag", 0) : null,
        parse.GetValue(GasUsd) is { } g ? SnapshotSource.ParseDecimal(g, "--gas-usd") : null,
        parse.GetValue(MaxRounds) is { } m ? SnapshotSource.ParseInt(m, "--max-rounds", 1) : null,
        parse.GetValue(StepSeconds) is { } s ? ParseStepSeconds(s) : null,
        parse.GetValue(Market) is { } market ? MarketModelChoice.Parse(market, "--market") : null,
        ReadDynamics(parse));

    /// <summary><c>--recovery-half-life</c> and <c>--correlate</c> as given (null: neither).</summary>
    public PriceDynamics? ReadDynamics(ParseResult parse)
    {
        var halfLife = parse.GetValue(RecoveryHalfLife) is { } h ? PriceDynamics.ParseHalfLife(h, "--recovery-half-life") : (double?)null;
        var groups = parse.GetValue(Correlate) is { Length: > 0 } g ? g.Select(t => PriceDynamics.ParseGroup(t, $"--correlate {t}")).ToList() : null;
        return halfLife is null && groups is null ? null : new PriceDynamics(halfLife, groups);
    }

    /// <summary>"60" → 60; anything but a whole number of seconds in [1, <see cref="MaxStepSeconds"/>] is one line naming the option.</summary>
    internal static long ParseStepSeconds(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxStepSeconds
            ? n : throw new DefiRiskException($"--step-seconds '{text}' must be a whole number of seconds from 1 to {MaxStepSeconds}");

    /// <summary>Command-line overrides of the analysis defaults; null leaves the default.</summary>
    /// <param name="Market">a <see cref="MarketModelChoice"/> name; null: appsettings' <c>Simulation.Market</c>, else the default.</param>
    internal sealed record Overrides(int? OracleLag = null, decimal? GasUsd = null, int? MaxRounds = null, long? StepSeconds = null, string? Market = null,
        PriceDynamics? Dynamics = null)
    {
        /// <summary>The appsettings.json defaults with these overrides applied (the market model first, so a given gas cost wins over its default).</summary>
        public SimulationOptions Options()
        {
            var o = AppSettings.Load().SimulationDefaults(Market);
            if (OracleLag is { } lag) o = o with { OracleModel = lag == 0 ? ImmediateOracle.Instance : new LaggedOracle(lag) };
            if (GasUsd is { } gas)
            {
                if (gas < 0) throw new DefiRiskException($"--gas-usd {gas.ToString(CultureInfo.InvariantCulture)} must not be negative");
                // USD with 8 decimals, the analyser's unit for gas.
                o = o with { GasCostUsd = new BigInteger(decimal.Floor(gas * 100_000_000m)) };
            }
            if (MaxRounds is { } n) o = o with { MaxRounds = n };
            if (StepSeconds is { } step) o = o with { StepSeconds = step };
            if (Dynamics is { } d) o = d.Apply(o, "--recovery-half-life and --correlate");
            return o;
        }
    }
}
