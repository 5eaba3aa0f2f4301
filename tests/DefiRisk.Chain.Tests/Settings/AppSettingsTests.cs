using System.Numerics;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Chain.Tests.Settings;

/// <summary>The <c>Simulation</c> section of appsettings.json: the analysis defaults the verbs start from.</summary>
public sealed class AppSettingsTests
{
    [Fact]
    public void Simulation_defaults_reach_the_options_in_the_analysers_units()
    {
        var o = AppSettings.Parse("""{ "Simulation": { "MaxRounds": 12, "GasCostUsd": 2.5, "OracleLagRounds": 1, "LiquidatorCapitalPerRoundUsd": 1000000 } }""", "test.json")
            .SimulationDefaults();
        Assert.Equal(12, o.MaxRounds);
        Assert.Equal(new BigInteger(250_000_000), o.GasCostUsd);
        Assert.Equal(1, Assert.IsType<LaggedOracle>(o.OracleModel).LagRounds);
        Assert.Equal(new BigInteger(1_000_000_00000000), o.LiquidatorCapitalPerRoundUsd);
    }

    [Fact]
    public void The_gas_per_extra_leg_of_a_split_sale_is_a_setting_the_market_liquidators_keep()
    {
        var o = AppSettings.Parse("""{ "Simulation": { "LegGasCostUsd": 0.75 } }""", "test.json").SimulationDefaults();
        Assert.Equal(new BigInteger(75_000_000), o.Liquidators.LegGasCostUsd);
        Assert.Equal(new BigInteger(75_000_000), o.WithMarketLiquidators().Liquidators.LegGasCostUsd);
        Assert.Equal(LiquidatorModel.DefaultLegGasCostUsd, AppSettings.Parse("{}", "test.json").SimulationDefaults().WithMarketLiquidators().Liquidators.LegGasCostUsd);
    }

    [Fact]
    public void Recovery_half_life_and_correlation_groups_reach_the_market_model_and_leave_the_replay_model_as_it_is()
    {
        var settings = AppSettings.Parse("""{ "Simulation": { "RecoveryHalfLifeRounds": 2.5, "CorrelationGroups": [["WBTC", "cbBTC"], ["WETH", "0x00000000000000000000000000000000000000a1"]] } }""", "test.json");
        var market = settings.SimulationDefaults(MarketModelChoice.Mainnet).MarketPrices;
        Assert.Equal(2.5, market.RecoveryHalfLifeRounds);
        Assert.Equal([["WBTC", "cbBTC"], ["WETH", "0x00000000000000000000000000000000000000a1"]], market.CorrelationGroups);
        Assert.Equal(MarketPriceModel.FirstPool, settings.SimulationDefaults(MarketModelChoice.Replay).MarketPrices);
    }

    [Theory]
    [InlineData("""{ "Simulation": { "CorrelationGroups": ["WBTC", "cbBTC"] } }""", "Simulation.CorrelationGroups: expected an array of arrays of asset names")]
    [InlineData("""{ "Simulation": { "CorrelationGroups": [["WBTC"]] } }""", "Simulation.CorrelationGroups: a correlation group names at least two assets")]
    [InlineData("""{ "Simulation": { "RecoveryHalfLifeRounds": 0 } }""", "Simulation.RecoveryHalfLifeRounds '0' must be a number of rounds above 0")]
    [InlineData("""{ "Simulation": { "MaxRound": 12 } }""", "Simulation.MaxRound: unknown key")]
    [InlineData("""{ "Simulation": { "LegGasCostUsd": -0.5 } }""", "Simulation.LegGasCostUsd: -0.5 is out of range")]
    [InlineData("""{ "Simulation": { "MaxRounds": 0 } }""", "Simulation.MaxRounds: 0 is out of range")]
    [InlineData("""{ "Simulation": { "GasCostUsd": -1 } }""", "Simulation.GasCostUsd: -1 is out of range")]
    [InlineData("""{ "Simulation": { "OracleLagRounds": "one" } }""", "Simulation.OracleLagRounds: expected a number")]
    public void Bad_simulation_settings_are_refused_naming_the_key(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<DefiRiskException>(() => AppSettings.Parse(json, "test.json").SimulationDefaults()).Message);

    [Fact]
    public void Rpc_limits_come_from_the_settings_and_the_flags_override_them()
    {
        var settings = AppSettings.Parse("""{ "RpcLimits": { "BatchSize": 50, "LogChunk": 2000, "Concurrency": 8 } }""", "test.json").RpcLimits();
        Assert.Equal((50, 2000L, 8), (settings.BatchSize, settings.LogChunkBlocks, settings.Concurrency));

        var flags = Cli.Commands.IndexCommand.Limits(settings, "100", null, "2");
        Assert.Equal((100, 2000L, 2), (flags.BatchSize, flags.LogChunkBlocks, flags.Concurrency));

        var defaults = AppSettings.Parse("{}", "test.json").RpcLimits();
        Assert.Equal((Chain.Rpc.RpcOptions.DefaultBatchSize, Chain.Rpc.RpcOptions.DefaultLogChunk, Chain.Rpc.RpcOptions.DefaultConcurrency),
            (defaults.BatchSize, defaults.LogChunkBlocks, defaults.Concurrency));
    }

    [Theory]
    [InlineData("""{ "RpcLimits": { "BatchSize": 0 } }""", "test.json: RpcLimits.BatchSize: 0 is out of range (allowed 1–10,000)")]
    [InlineData("""{ "RpcLimits": { "Concurrency": 65 } }""", "test.json: RpcLimits.Concurrency: 65 is out of range (allowed 1–64)")]
    [InlineData("""{ "RpcLimits": { "LogChunk": 1.5 } }""", "test.json: RpcLimits.LogChunk: expected a whole number")]
    [InlineData("""{ "RpcLimits": { "Batch": 10 } }""", "test.json: RpcLimits.Batch: unknown key (allowed: BatchSize, LogChunk, Concurrency, CallsPerRead)")]
    public void Bad_rpc_limits_in_the_settings_are_refused_naming_the_key(string json, string expected)
    {
        var ex = Assert.Throws<DefiRiskException>(() => AppSettings.Parse(json, "test.json").RpcLimits());
        Assert.Equal(expected, ex.Message);
        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
    }

    [Theory]
    [InlineData("0", null, null, "--batch-size '0' must be a whole number from 1 to 10,000")]
    [InlineData(null, "ten", null, "--log-chunk 'ten' must be a whole number from 1 to 100,000,000")]
    [InlineData(null, null, "-4", "--concurrency '-4' must be a whole number from 1 to 64")]
    public void Bad_rpc_limit_flags_are_refused_with_one_line_naming_the_flag(string? batch, string? chunk, string? concurrency, string expected)
    {
        var ex = Assert.Throws<DefiRiskException>(() => Cli.Commands.IndexCommand.Limits(new Chain.Rpc.RpcOptions(), batch, chunk, concurrency));
        Assert.Equal(expected, ex.Message);
        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
    }

    [Fact]
    public void The_bundled_appsettings_parse_and_name_mainnet_deployments()
    {
        var settings = AppSettings.Load();
        Assert.NotNull(settings.Path);
        Assert.Equal(50, settings.SimulationDefaults().MaxRounds);
        var mainnet = settings.Deployments(1);
        // Core and Prime (Aave's codebase) and SparkLend (its own revisions): the codebase picks the release table.
        Assert.Equal([("core", "aave"), ("prime", "aave"), ("sparklend", "sparklend")], mainnet.AaveV3().Select(p => (p.Name, p.EffectiveCodebase)).ToList());
        // SparkLend's deployment block is not confirmed by a Spark source: discovery scans its logs from genesis.
        Assert.Equal(0, mainnet.AaveV3().Single(p => p.Name == "sparklend").StartBlock);
        Assert.NotNull(mainnet.MorphoBlue());
    }
}
