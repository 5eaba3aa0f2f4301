namespace DefiRisk.Harness;

/// <summary>
/// A protocol whose release <c>fixture build</c> lets the user pick (today <c>--aave 3.0|3.6</c>). The CLI adds one
/// option per entry of <see cref="FixtureBuilder.ReleaseChoices"/>, so it names no protocol itself.
/// </summary>
/// <param name="Option">The option's spelling, e.g. "--aave".</param>
/// <param name="Key">Its key in the verb's JSON result (<c>releases</c>).</param>
/// <param name="Label">How the verb's summary line names the protocol.</param>
/// <param name="Values">The accepted values; <paramref name="Default"/> is one of them.</param>
/// <param name="Apply">The build options with the chosen value.</param>
/// <param name="Current">The value the build options carry.</param>
public sealed record FixtureReleaseChoice(
    string Option,
    string Key,
    string Label,
    string Description,
    IReadOnlyList<string> Values,
    string Default,
    Func<FixtureBuildOptions, string, FixtureBuildOptions> Apply,
    Func<FixtureBuildOptions, string> Current);
