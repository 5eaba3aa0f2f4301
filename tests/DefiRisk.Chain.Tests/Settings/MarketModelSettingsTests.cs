using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Chain.Tests.Settings;

/// <summary><c>Simulation.Market</c> in appsettings.json (issue 12): the market model when the command line names none.</summary>
public sealed class MarketModelSettingsTests
{
    [Fact]
    public void The_market_model_comes_from_the_settings_and_the_command_line_overrides_it()
    {
        var settings = AppSettings.Parse("""{ "Simulation": { "Market": "mainnet" } }""", "test.json");
        var mainnet = settings.SimulationDefaults();
        Assert.Equal(MarketModelChoice.Mainnet, MarketModelChoice.Name(mainnet));
        Assert.True(mainnet.MarketPrices.OnePrice);
        Assert.Equal(LiquidatorModel.DefaultGasCostUsd, mainnet.GasCostUsd); // the model's gas default fills a gas cost left at 0

        var replay = settings.SimulationDefaults(MarketModelChoice.Replay);
        Assert.Equal(MarketModelChoice.Replay, MarketModelChoice.Name(replay));
        Assert.Equal(0, (int)replay.GasCostUsd);

        // Neither given: the default; a gas cost set in the settings stays under the mainnet model.
        Assert.Equal(MarketModelChoice.Default, MarketModelChoice.Name(AppSettings.Parse("{}", "test.json").SimulationDefaults()));
        var gas = AppSettings.Parse("""{ "Simulation": { "GasCostUsd": 3, "Market": "mainnet" } }""", "test.json").SimulationDefaults();
        Assert.Equal(3 * 100_000_000L, (long)gas.GasCostUsd);
    }

    [Theory]
    [InlineData("""{ "Simulation": { "Market": "cex" } }""", "test.json: Simulation.Market cex is not a market model (replay or mainnet)")]
    [InlineData("""{ "Simulation": { "Market": 1 } }""", "test.json: Simulation.Market: expected \"replay\" or \"mainnet\"")]
    public void A_market_model_the_settings_cannot_name_is_refused_naming_the_key(string json, string expected) =>
        Assert.Equal(expected, Assert.Throws<DefiRiskException>(() => AppSettings.Parse(json, "test.json").SimulationDefaults()).Message);
}
