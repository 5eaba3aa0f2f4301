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

    [Theory]
    [InlineData("""{ "Simulation": { "MaxRound": 12 } }""", "Simulation.MaxRound: unknown key")]
    [InlineData("""{ "Simulation": { "MaxRounds": 0 } }""", "Simulation.MaxRounds: 0 is out of range")]
    [InlineData("""{ "Simulation": { "GasCostUsd": -1 } }""", "Simulation.GasCostUsd: -1 is out of range")]
    [InlineData("""{ "Simulation": { "OracleLagRounds": "one" } }""", "Simulation.OracleLagRounds: expected a number")]
    public void Bad_simulation_settings_are_refused_naming_the_key(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<DefiRiskException>(() => AppSettings.Parse(json, "test.json").SimulationDefaults()).Message);

    [Fact]
    public void The_bundled_appsettings_parse_and_name_mainnet_deployments()
    {
        var settings = AppSettings.Load();
        Assert.NotNull(settings.Path);
        Assert.Equal(50, settings.SimulationDefaults().MaxRounds);
        var mainnet = settings.Deployments(1);
        Assert.Equal(2, mainnet.AaveV3().Count);
        Assert.NotNull(mainnet.MorphoBlue());
    }
}
