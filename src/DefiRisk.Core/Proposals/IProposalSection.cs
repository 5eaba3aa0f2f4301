using System.Text.Json;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// One protocol family's section of a proposal file (its JSON key is the family's name): read and checked against the
/// snapshot as the family's configurator would check it, into a change the family applies to its own book.
/// </summary>
public interface IProposalSection
{
    string Key { get; }

    IProtocolChange Read(JsonElement section, string path, ProposalReader reader);
}

/// <summary>A family's risk-parameter changes: applied to the snapshot before the proposal's cascade.</summary>
public interface IProtocolChange : IRiskParameterOverride
{
    string Protocol { get; }

    /// <summary>False when applying it leaves every value of the baseline as it is (e.g. it names today's values).</summary>
    bool ChangesAnything(Domain.Snapshot baseline);
}
