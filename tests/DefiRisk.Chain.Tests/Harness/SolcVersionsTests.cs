using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>Which installed npm solc compiles a payload: the one its pragmas allow, 0.8.27 first.</summary>
public sealed class SolcVersionsTests
{
    [Theory]
    [InlineData("0.8.27", "^0.8.0", true)]
    [InlineData("0.8.27", "^0.8.20", true)]
    [InlineData("0.8.19", "^0.8.20", false)]
    [InlineData("0.8.27", "0.8.19", false)]
    [InlineData("0.8.19", "=0.8.19", true)]
    [InlineData("0.8.27", ">=0.5.0", true)]
    [InlineData("0.8.27", ">=0.8.0 <0.9.0", true)]
    [InlineData("0.8.27", ">= 0.8.0 < 0.8.20", false)]
    [InlineData("0.8.27", "~0.8.10", true)]
    [InlineData("0.8.27", "^0.7.6", false)]
    [InlineData("0.8.19", "0.7.6 || 0.8.19", true)]
    [InlineData("0.8.27", "<0.8.27", false)]
    [InlineData("0.8.27", "<=0.8.27", true)]
    public void A_pragma_constraint_is_read_as_solc_reads_it(string version, string constraint, bool satisfied) =>
        Assert.Equal(satisfied, SolcVersions.Satisfies(version, constraint));

    [Fact]
    public void The_newest_installed_solc_that_satisfies_every_pragma_is_chosen_and_none_fails_naming_the_pragma()
    {
        var modules = NodeModules.Locate();
        Assert.Equal("0.8.27", SolcVersions.Choose(modules, new Dictionary<string, string> { ["p.sol"] = "pragma solidity ^0.8.0;" }, "p.sol").Version);
        // Morpho Blue's exact pragma beside an open one: only 0.8.19 serves both.
        var morpho = SolcVersions.Choose(modules, new Dictionary<string, string> { ["p.sol"] = "pragma solidity ^0.8.0;", ["m.sol"] = "pragma solidity 0.8.19;" }, "p.sol");
        Assert.Equal(("0.8.19", "paris"), (morpho.Version, morpho.EvmVersion));
        var ex = Assert.Throws<DefiRiskException>(() => SolcVersions.Choose(modules, new Dictionary<string, string> { ["old.sol"] = "pragma solidity 0.7.6;" }, "old.sol"));
        Assert.Equal("old.sol: pragma solidity 0.7.6 (old.sol) is satisfied by no installed solc (0.8.27, 0.8.19)", ex.Message);
    }
}
