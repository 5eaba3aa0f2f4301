using DefiRisk.Chain.Deployments;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>Who a review runs payloads as, read from the deployments file (no chain needed).</summary>
public sealed class GovernanceRouteTests
{
    private const string Pool = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2";
    private const string Oracle = "0x54586bE62E3c3580375aE3723C145253060Ca0C2";
    private const string DataProvider = "0x0a16f2FCC0D44FaE41cc54e079281D84A363bECD";

    private static DeploymentManifest Manifest(string pools) => DeploymentManifest.Parse($$"""{ "chainId": 1, "aave-v3": {{pools}} }""", "test.json");

    private static string PoolJson(string name, string? executor) =>
        $$"""{ "name": "{{name}}", "pool": "{{Pool}}", "oracle": "{{Oracle}}", "dataProvider": "{{DataProvider}}"{{(executor is null ? "" : $", \"governanceExecutor\": \"{executor}\"")}} }""";

    [Fact]
    public void Mainnet_Core_and_Prime_from_the_bundled_settings_are_reviewed_through_Executor_level_1_as_its_owner()
    {
        // ADDRESSES.md: Executor level 1 holds POOL_ADMIN / RISK_ADMIN on Aave v3 Core and Prime.
        var route = GovernancePayloads.Route(AppSettings.Load().Deployments(1));
        Assert.Equal(new GovernanceExecutorRoute("0x5300a1a15135ea4dc7ad5a167152c01efc9b192a"), route);
    }

    [Fact]
    public void Pools_naming_different_governance_executors_are_refused_in_one_line()
    {
        var manifest = Manifest($"[{PoolJson("a", "0x5300A1a15135EA4dc7aD5a167152C01EFc9b192A")}, {PoolJson("b", "0x00000000000000000000000000000000000000e1")}]");
        var ex = Assert.Throws<DefiRiskException>(() => GovernancePayloads.Route(manifest));
        Assert.Contains("different governanceExecutors", ex.Message);
        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
    }

    [Fact]
    public void A_governance_executor_that_is_not_an_address_is_refused_naming_the_key()
    {
        var ex = Assert.Throws<DefiRiskException>(() => Manifest(PoolJson("core", "0x1234")));
        Assert.Contains("aave-v3.governanceExecutor", ex.Message);
    }

    [Fact]
    public void A_deployment_with_neither_governance_nor_a_fixture_has_no_one_to_run_a_payload_as()
    {
        var ex = Assert.Throws<DefiRiskException>(() => GovernancePayloads.Route(Manifest(PoolJson("core", null))));
        Assert.Contains("names no aave-v3 governanceExecutor and is not a fixture", ex.Message);
    }

    [Theory]
    [InlineData("0x5300A1a15135EA4dc7aD5a167152C01EFc9b192A", true)]
    [InlineData("0x5300A1a15135EA4dc7aD5a167152C01EFc9b192", false)]
    [InlineData("fixtures/aave-lt-cut-payload.sol", false)]
    public void A_payload_given_as_0x_and_40_hex_digits_is_a_deployed_address(string spec, bool isAddress) =>
        Assert.Equal(isAddress, GovernancePayloads.IsAddress(spec));
}
