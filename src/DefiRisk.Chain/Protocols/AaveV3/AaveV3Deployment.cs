using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Chain.Protocols.AaveV3;

/// <summary>One Aave v3 pool. <see cref="StartBlock"/>: where borrower discovery starts scanning logs.</summary>
public sealed record AaveV3Deployment
{
    [JsonPropertyName("name")] public string Name { get; init; } = "aave-v3";
    [JsonPropertyName("poolAddressesProvider")] public string? PoolAddressesProvider { get; init; }
    [JsonPropertyName("pool")] public required string Pool { get; init; }
    [JsonPropertyName("poolConfigurator")] public string? PoolConfigurator { get; init; }
    [JsonPropertyName("dataProvider")] public required string DataProvider { get; init; }
    [JsonPropertyName("oracle")] public required string Oracle { get; init; }
    [JsonPropertyName("aclManager")] public string? AclManager { get; init; }
    [JsonPropertyName("startBlock")] public long StartBlock { get; init; }
    /// <summary>Whose code the pool runs: "aave" (absent = aave) or "sparklend", whose POOL_REVISION numbers are its own.
    /// With the revision read on chain it picks the rules from <see cref="AaveV3Releases.Table"/>.</summary>
    [JsonPropertyName("codebase")] public string? Codebase { get; init; }
    /// <summary>The governance executor holding the pool's POOL_ADMIN / RISK_ADMIN (Aave: Executor level 1). When set,
    /// <c>review</c> runs payloads as governance does: its owner calls <c>executeTransaction(payload, 0, "execute()", "", true)</c>.</summary>
    [JsonPropertyName("governanceExecutor")] public string? GovernanceExecutor { get; init; }

    [JsonIgnore] public string EffectiveCodebase => Codebase ?? AaveV3Releases.Aave;
}

/// <summary>The manifest's "aave-v3" section: one pool (the fixture manifest) or a list (mainnet's Core and Prime).</summary>
public sealed record AaveV3Section(IReadOnlyList<AaveV3Deployment> Pools) : IDeploymentSection
{
    public string Key => AaveV3Book.Name;

    /// <summary>Written as it is read: a single pool as an object, several as a list.</summary>
    public JsonNode ToJson() => Pools.Count == 1 ? DeploymentSectionJson.Serialize(Pools[0]) : DeploymentSectionJson.Serialize(Pools);
}

public static class AaveV3ManifestExtensions
{
    /// <summary>The manifest's Aave v3 pools (none when it has no "aave-v3" section).</summary>
    public static IReadOnlyList<AaveV3Deployment> AaveV3(this IDeploymentSections manifest) => manifest.Section<AaveV3Section>()?.Pools ?? [];
}
