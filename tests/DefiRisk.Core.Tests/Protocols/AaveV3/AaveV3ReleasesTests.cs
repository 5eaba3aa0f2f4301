using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Core.Tests.Protocols;

public sealed class AaveV3ReleasesTests
{
    [Theory]
    [InlineData(1, "3.0", 1)]
    [InlineData(4, "3.1", AaveV3Revision.V3_1)]
    [InlineData(5, "3.2", AaveV3Revision.V3_2)]
    [InlineData(7, "3.3", AaveV3Revision.V3_3)]
    [InlineData(9, "3.5", AaveV3Revision.V3_5)]
    [InlineData(10, "3.6", AaveV3Revision.V3_6)]
    public void An_aave_pool_revision_names_its_release_and_rules(int revision, string name, int rules)
    {
        var release = AaveV3Releases.Resolve("core", AaveV3Releases.Aave, revision);
        Assert.Equal((name, rules), (release.Name, release.RulesRevision));
    }

    [Fact]
    public void The_reader_surfaces_follow_the_release()
    {
        var v30 = AaveV3Releases.Resolve("x", AaveV3Releases.Aave, 1);
        var v36 = AaveV3Releases.Resolve("x", AaveV3Releases.Aave, 10);
        Assert.Equal((true, false, false, false, false), (v30.HasStableDebt, v30.HasEModeBitmaps, v30.HasGracePeriod, v30.HasDeficit, v30.HasLtvZeroBitmap));
        Assert.Equal((false, true, true, true, true), (v36.HasStableDebt, v36.HasEModeBitmaps, v36.HasGracePeriod, v36.HasDeficit, v36.HasLtvZeroBitmap));
    }

    [Fact]
    public void SparkLend_revision_4_runs_the_3_0_rules_not_aaves_3_1()
    {
        var spark = AaveV3Releases.Resolve("spark", AaveV3Releases.SparkLend, 4);
        Assert.Equal(1, spark.RulesRevision);
        Assert.True(spark.HasStableDebt);
        Assert.False(spark.HasGracePeriod);
    }

    [Fact]
    public void Aave_3_7_is_refused_by_name()
    {
        var ex = Assert.Throws<DefiRiskException>(() => AaveV3Releases.Resolve("core", AaveV3Releases.Aave, 11));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("POOL_REVISION 11", ex.Message);
        Assert.Contains("v3.7", ex.Message);
    }

    [Theory]
    [InlineData("sparklend", 10)]
    [InlineData("aave", 12)]
    public void An_unknown_pair_is_one_line_naming_codebase_and_revision(string codebase, int revision)
    {
        var ex = Assert.Throws<DefiRiskException>(() => AaveV3Releases.Resolve("pool", codebase, revision));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains($"codebase {codebase} POOL_REVISION {revision}", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void An_unreadable_revision_is_not_taken_for_0()
    {
        var ex = Assert.Throws<DefiRiskException>(() => AaveV3Releases.Resolve("pool", AaveV3Releases.Aave, null));
        Assert.Contains("POOL_REVISION() could not be read (codebase aave)", ex.Message);
    }
}
