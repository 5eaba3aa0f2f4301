using System.Globalization;

namespace DefiRisk.Core.Stress;

/// <summary>
/// The depeg scenario family of an exchange-rate asset (an LST priced as ratio × base): at each step, with probability
/// <see cref="Probability"/>, its MARKET price jumps by <see cref="Jump"/> (−0.08 = −8 %) on top of its base's move, and
/// stays there (no recovery within the horizon). Its oracle — ratio × base — does not see the jump, as on chain: a
/// depeg alone liquidates nothing priced by the rate, but the liquidators' sales of it and the unrealised bad debt at
/// market prices do. Drawn from a stream of (seed, path) apart from the price model's, so adding a depeg leaves the
/// base paths unchanged. A slashing event (the ratio itself cut, so the oracle follows) is not modelled: a scenario
/// step cannot move the ratio yet.
/// </summary>
public sealed record DepegJump(string Asset, double Probability, decimal Jump)
{
    /// <summary>Parses <c>ASSET=P%:J%</c>, e.g. <c>wstETH=2%:-8%</c>: a 2 % chance per step of a −8 % jump of the market price.</summary>
    public static DepegJump Parse(string spec)
    {
        var eq = spec.IndexOf('=');
        var colon = spec.IndexOf(':', Math.Max(0, eq));
        if (eq <= 0 || colon < 0) throw new DefiRiskException($"--depeg '{spec}' is not ASSET=P%:J% (e.g. wstETH=2%:-8%: a 2% chance per step of a -8% jump)");
        var p = Analysis.ScenarioParser.ParseChange(spec[(eq + 1)..colon], false, $"--depeg '{spec}' probability");
        var j = Analysis.ScenarioParser.ParseChange(spec[(colon + 1)..], false, $"--depeg '{spec}' jump");
        if (p <= 0 || p > 1) throw new DefiRiskException($"--depeg '{spec}': the probability per step must be above 0% and at most 100%");
        if (j <= -1 || j >= 0) throw new DefiRiskException($"--depeg '{spec}': the jump must be a fall, above -100% and below 0%");
        return new DepegJump(spec[..eq].Trim(), (double)p, j);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Asset}={Probability:P2}:{Jump:P2}");
}
