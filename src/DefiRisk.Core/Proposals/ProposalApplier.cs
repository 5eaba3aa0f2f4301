namespace DefiRisk.Core.Proposals;

/// <summary>
/// Produces the proposal's world: the baseline snapshot with each family's proposed risk-parameter changes applied to
/// its book (<see cref="IProtocolChange.Apply"/>), in the order the proposal lists them.
/// </summary>
public static class ProposalApplier
{
    public static Domain.Snapshot Apply(Domain.Snapshot baseline, Proposal proposal)
    {
        var snapshot = baseline;
        foreach (var change in proposal.Changes) snapshot = change.Apply(snapshot);
        return snapshot;
    }
}
