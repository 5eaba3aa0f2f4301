using DefiRisk.Core.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

public sealed class ScenarioParserTests
{
    private static readonly Domain.Snapshot Snapshot = MiniMarket.Build([]);

    [Fact]
    public void One_asset_down_30_percent()
    {
        var s = ScenarioParser.Parse(["WETH=-30%"], Snapshot);
        var shock = Assert.Single(Assert.Single(s.Steps).Shocks);
        Assert.Equal((Weth, -0.30m), (shock.Asset, shock.Change));
        Assert.Equal(700_000_000, shock.FactorNumerator);
        Assert.Equal(Usd("1400"), shock.Apply(Usd("2000")));
    }

    [Fact]
    public void Several_assets_and_paths_combine_step_by_step()
    {
        var s = ScenarioParser.Parse(["weth=-10%,-10%", "0x" + WstEth.Value[2..].ToUpperInvariant() + "=-5%", "DAI=+1.5%"], Snapshot);
        Assert.Equal(2, s.Steps.Count);
        Assert.Equal(3, s.Steps[0].Shocks.Count);
        Assert.Equal(Weth, Assert.Single(s.Steps[1].Shocks).Asset);
        Assert.Equal(-0.05m, s.Steps[0].Shocks.Single(x => x.Asset == WstEth).Change);
        Assert.Equal(0.015m, s.Steps[0].Shocks.Single(x => x.Asset == Dai).Change);
        Assert.Equal(-0.19m, s.TotalChange(Weth));
    }

    [Theory]
    [InlineData("WETH=abc", "'abc' is not a percentage")]
    [InlineData("WETH=-150%", "out of range")]
    [InlineData("WETH=-100%", "out of range")]
    [InlineData("WETH", "is not of the form")]
    [InlineData("=-5%", "is not of the form")]
    [InlineData("FOO=-5%", "asset 'FOO' is not in the snapshot")]
    [InlineData("WETH=5%,", "'' is not a percentage")]
    public void Bad_specs_are_one_line_user_errors(string spec, string message)
    {
        var ex = Assert.Throws<DefiRiskException>(() => ScenarioParser.Parse([spec], Snapshot));
        Assert.Contains(message, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
    }

    [Fact]
    public void The_same_asset_twice_in_a_step_is_rejected() =>
        Assert.Throws<DefiRiskException>(() => ScenarioParser.Parse(["WETH=-5%", "WETH=-6%"], Snapshot));

    [Theory]
    [InlineData("WETH=-0.3", "write -30% if it is a fraction, -0.3% if it is percent")]
    [InlineData("WETH=-30", "write -30% if it is percent")]
    [InlineData("WETH=-2,5%", "decimals take a point")]
    public void A_move_without_a_percent_sign_is_refused_unless_fractions_are_asked_for(string spec, string message)
    {
        var ex = Assert.Throws<DefiRiskException>(() => ScenarioParser.Parse([spec], Snapshot));
        Assert.Contains(message, ex.Message);
        Assert.Contains(ScenarioParser.FractionsFlag, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void With_fractions_a_bare_number_is_a_fraction_of_one_and_a_percent_sign_still_means_percent()
    {
        var s = ScenarioParser.Parse(["WETH=-0.3,-5%,0"], Snapshot, fractions: true);
        Assert.Equal([-0.3m, -0.05m, 0m], s.Steps.Select(x => Assert.Single(x.Shocks).Change));
        Assert.Throws<DefiRiskException>(() => ScenarioParser.Parse(["WETH=-30"], Snapshot, fractions: true)); // −3000 %
        Assert.Equal(0m, ScenarioParser.ParseChange("0", fractions: false, "--from")); // zero needs no unit
    }
}
