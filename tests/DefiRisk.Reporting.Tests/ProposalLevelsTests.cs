using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Reporting.Tests;

/// <summary>A risk-parameter change moves the liquidation levels themselves; the report shows both curves.</summary>
public sealed class ProposalLevelsTests
{
    [Fact]
    public void A_lower_liquidation_threshold_shows_more_collateral_liquidatable_at_the_same_drop()
    {
        var snapshot = ReportMarket.Build();
        var weth = snapshot.FindAsset("WETH")!;
        var reserve = snapshot.AaveV3Markets()[0].Market.Reserve(weth.Address);
        // Lower the WETH threshold by 15 points: every WETH-backed Aave account's HF falls by the same proportion.
        var proposal = TestProposal.Create("Lower WETH threshold", "",
            [new AaveV3ReserveChange("WETH", Math.Min(reserve.Ltv, reserve.LiquidationThreshold - 1500), reserve.LiquidationThreshold - 1500, null, null, null, null)],
            [], null, [], BreakerSettings.None);
        var proposalSnapshot = ProposalApplier.Apply(snapshot, proposal);

        var baseline = LiquidationLevels.Compute(snapshot).Single(c => c.Asset == weth.Address);
        var changed = LiquidationLevels.Compute(proposalSnapshot).Single(c => c.Asset == weth.Address);
        Assert.Contains(baseline.Levels.Zip(changed.Levels), p => p.Second.Total > p.First.Total);
        Assert.All(baseline.Levels.Zip(changed.Levels), p => Assert.True(p.Second.Total >= p.First.Total));

        var md = ReportWriter.Markdown(new ReportInput(snapshot, ReportingRegistry.Parts) { ProposalSnapshot = proposalSnapshot });
        Assert.Contains("Total, proposal", md);
        var without = ReportWriter.Markdown(new ReportInput(snapshot, ReportingRegistry.Parts));
        Assert.DoesNotContain("Total, proposal", without);
    }
}
