using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Core.Registry;

/// <summary>
/// The protocol families Core knows, in one place: a family adds its line here (its books, rules and venues need no
/// registration — they travel in the snapshot; this lists what is looked up by name, such as proposal sections).
/// </summary>
public static class CoreRegistry
{
    /// <summary>Each family's proposal-file section, in the order they are read.</summary>
    public static IReadOnlyList<IProposalSection> ProposalSections { get; } =
    [
        new AaveV3ProposalSection(),
        new MorphoBlueProposalSection(),
    ];

    /// <summary>The families' names, as results, proposals and <c>--fail-if badDebt.&lt;protocol&gt;</c> spell them.</summary>
    public static IReadOnlyList<string> ProtocolNames { get; } = [AaveV3Book.Name, MorphoBlueBook.Name];

    /// <summary>Reads a proposal file with every family's section.</summary>
    public static Proposal ParseProposal(string json, string source, Snapshot snapshot) =>
        ProposalParser.Parse(json, source, snapshot, ProposalSections);
}
