using System.Globalization;

namespace DefiRisk.Core.Stress;

/// <summary>
/// The slashing scenario family of an exchange-rate asset (an LST priced as ratio × base), apart from its depeg: at each
/// step, with probability <see cref="Probability"/>, the exchange rate itself is cut by <see cref="Cut"/> (−0.05 = −5 %)
/// and stays cut — a validator slashing or a loss the LST's rate books. Its ORACLE follows at once (ratio × base reads
/// the cut ratio on the next call; a CAPO adapter's cap only limits rises), and its MARKET price jumps by the same factor
/// (the token is worth its new rate). On a mainnet fork: what the rate provider (e.g. wstETH's stEthPerToken) would
/// return after an oracle report with the loss. Drawn from a stream of (seed, path) apart from the price model's and the
/// depegs', so adding a slashing leaves the base paths and the depeg jumps unchanged; where a depeg and a slashing of the
/// same asset fall on the same step, both apply to its market price.
/// </summary>
public sealed record SlashingJump(string Asset, double Probability, decimal Cut)
{
    /// <summary>Parses <c>ASSET=P%:C%</c>, e.g. <c>wstETH=0.5%:-5%</c>: a 0.5 % chance per step of a −5 % cut of the ratio.</summary>
    public static SlashingJump Parse(string spec)
    {
        var eq = spec.IndexOf('=');
        var colon = spec.IndexOf(':', Math.Max(0, eq));
        if (eq <= 0 || colon < 0) throw new DefiRiskException($"--slash '{spec}' is not ASSET=P%:C% (e.g. wstETH=0.5%:-5%: a 0.5% chance per step of a -5% cut of the exchange rate)");
        var p = Analysis.ScenarioParser.ParseChange(spec[(eq + 1)..colon], false, $"--slash '{spec}' probability");
        var c = Analysis.ScenarioParser.ParseChange(spec[(colon + 1)..], false, $"--slash '{spec}' cut");
        if (p <= 0 || p > 1) throw new DefiRiskException($"--slash '{spec}': the probability per step must be above 0% and at most 100%");
        if (c <= -1 || c >= 0) throw new DefiRiskException($"--slash '{spec}': the cut must be a fall, above -100% and below 0%");
        return new SlashingJump(spec[..eq].Trim(), (double)p, c);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Asset}={Probability:P2}:{Cut:P2}");
}
