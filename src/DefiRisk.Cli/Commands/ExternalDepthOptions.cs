using System.CommandLine;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>--external-depth FILE</c> and <c>--dex-only</c>, for <c>index</c> (what the snapshot stores) and <c>simulate</c>
/// (what one run uses): the external market's curves from a file instead of the deployments' section, or no venue off
/// the chain at all.
/// </summary>
internal sealed class ExternalDepthOptions
{
    public Option<string?> File { get; } = new("--external-depth")
    {
        Description = "external-market depth curves (JSON: quote, provenance, per-asset points of USD sold → marginal impact in bps) instead of the deployments' external-market section",
    };

    public Option<bool> DexOnly { get; } = new("--dex-only") { Description = "leave out every venue that is not on the chain (the external market): DEX pools only" };

    public IEnumerable<Option> All => [File, DexOnly];

    /// <summary>The choice given, validated: the two exclude each other; a missing or malformed file is one line.</summary>
    public Choice Read(ParseResult parse)
    {
        var file = parse.GetValue(File);
        var dexOnly = parse.GetValue(DexOnly);
        if (file is not null && dexOnly) throw new DefiRiskException("--external-depth and --dex-only exclude each other");
        if (file is null) return new Choice(null, dexOnly);
        InputFile.Require(file, "--external-depth");
        return new Choice(ExternalDepthConfig.Parse(System.IO.File.ReadAllText(file), file), dexOnly, file);
    }

    /// <param name="Config">Curves that replace the snapshot's (bound at its prices); null: keep the snapshot's.</param>
    internal sealed record Choice(ExternalDepthConfig? Config, bool DexOnly, string? File = null)
    {
        public static readonly Choice Default = new(null, false);

        /// <summary>The snapshot with the file's curves bound to its assets, or with no venue off the chain.</summary>
        public Snapshot Apply(Snapshot snapshot) =>
            DexOnly ? snapshot.OnChainVenuesOnly()
            : Config is { } c ? snapshot.WithVenueBook(c.Bind(snapshot.Assets, File!, snapshot.Venues))
            : snapshot;
    }
}
