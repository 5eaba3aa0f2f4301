using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Chain.Deployments;

/// <summary>
/// Where the protocols live on one chain: the fixture's <c>manifest.json</c>, a user's
/// <c>--deployments</c> file, or the mainnet section of <c>appsettings.json</c>. Keys are the
/// protocol families ("aave-v3", "morpho-blue", "uniswap-v2"); "aave-v3" may be one market or a list.
/// Harness-only facts (tokens, feeds, actors) ride along in <see cref="Fixture"/> and are ignored by
/// the indexer.
/// </summary>
public sealed record DeploymentManifest
{
    [JsonPropertyName("chainId")] public required long ChainId { get; init; }
    /// <summary>The block the fixture was saved at; the indexer's default block when present.</summary>
    [JsonPropertyName("block")] public long? Block { get; init; }
    [JsonPropertyName("aave-v3")] public IReadOnlyList<AaveV3Deployment> AaveV3 { get; init; } = [];
    [JsonPropertyName("morpho-blue")] public MorphoBlueDeployment? MorphoBlue { get; init; }
    [JsonPropertyName("uniswap-v2")] public UniswapV2Deployment? UniswapV2 { get; init; }
    /// <summary>Fixture facts for tests and the harness (token and feed addresses by symbol, actors…).</summary>
    [JsonPropertyName("fixture")] public JsonObject? Fixture { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new AaveV3ListConverter() },
    };

    /// <summary>Parses and validates; any problem is one <see cref="DefiRiskException"/> line naming the file and key.</summary>
    public static DeploymentManifest Parse(string json, string source)
    {
        DeploymentManifest? m;
        try { m = JsonSerializer.Deserialize<DeploymentManifest>(json, Options); }
        catch (JsonException ex) { throw new DefiRiskException($"malformed deployments file {source}: {FirstLine(ex.Message)}"); }
        if (m is null) throw new DefiRiskException($"malformed deployments file {source}: empty");
        m.Validate(source);
        return m;
    }

    public static DeploymentManifest Load(string path)
    {
        if (!File.Exists(path)) throw new DefiRiskException($"deployments file {path} does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    private void Validate(string source)
    {
        if (ChainId <= 0) throw new DefiRiskException($"malformed deployments file {source}: chainId must be positive");
        if (AaveV3.Count == 0 && MorphoBlue is null)
            throw new DefiRiskException($"malformed deployments file {source}: names neither aave-v3 nor morpho-blue");
        foreach (var a in AaveV3)
        {
            Check(a.Pool, "aave-v3.pool");
            Check(a.Oracle, "aave-v3.oracle");
            Check(a.DataProvider, "aave-v3.dataProvider");
            if (a.Codebase is { } codebase && !AaveV3Releases.Codebases.Contains(codebase))
                throw new DefiRiskException($"malformed deployments file {source}: aave-v3.codebase '{codebase}' is not one of: {string.Join(", ", AaveV3Releases.Codebases)}");
        }
        if (MorphoBlue is not null)
        {
            Check(MorphoBlue.Morpho, "morpho-blue.morpho");
            foreach (var id in MorphoBlue.Markets)
                if (id.Length != 66 || !id.StartsWith("0x", StringComparison.Ordinal) || !id[2..].All(Uri.IsHexDigit))
                    throw new DefiRiskException($"malformed deployments file {source}: morpho-blue.markets entry '{id}' is not a bytes32 id");
        }
        if (UniswapV2 is not null)
        {
            if (UniswapV2.Factory is not null) Check(UniswapV2.Factory, "uniswap-v2.factory");
            foreach (var p in UniswapV2.Pairs) Check(p, "uniswap-v2.pairs");
        }

        void Check(string? value, string key)
        {
            if (!Address.TryParse(value, out _))
                throw new DefiRiskException($"malformed deployments file {source}: {key} '{value}' is not an address");
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>Accepts "aave-v3" as a single object (the fixture manifest) or a list (mainnet's Core and Prime).</summary>
    private sealed class AaveV3ListConverter : JsonConverter<IReadOnlyList<AaveV3Deployment>>
    {
        public override IReadOnlyList<AaveV3Deployment> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var inner = new JsonSerializerOptions(options);
            inner.Converters.Remove(inner.Converters.First(c => c is AaveV3ListConverter));
            return reader.TokenType switch
            {
                JsonTokenType.StartArray => JsonSerializer.Deserialize<List<AaveV3Deployment>>(ref reader, inner) ?? [],
                JsonTokenType.StartObject => [JsonSerializer.Deserialize<AaveV3Deployment>(ref reader, inner)!],
                _ => throw new JsonException("aave-v3 must be an object or a list of objects"),
            };
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<AaveV3Deployment> value, JsonSerializerOptions options)
        {
            var inner = new JsonSerializerOptions(options);
            inner.Converters.Remove(inner.Converters.First(c => c is AaveV3ListConverter));
            if (value.Count == 1) JsonSerializer.Serialize(writer, value[0], inner);
            else JsonSerializer.Serialize(writer, value, inner);
        }
    }
}

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

    [JsonIgnore] public string EffectiveCodebase => Codebase ?? AaveV3Releases.Aave;
}

/// <summary>The Morpho Blue singleton and the market ids to index (empty: every market seen in <c>CreateMarket</c> logs).</summary>
public sealed record MorphoBlueDeployment
{
    [JsonPropertyName("morpho")] public required string Morpho { get; init; }
    [JsonPropertyName("markets")] public IReadOnlyList<string> Markets { get; init; } = [];
    [JsonPropertyName("startBlock")] public long StartBlock { get; init; }
}

/// <summary>Uniswap v2 pairs whose reserves are the DEX liquidity seized collateral is sold into.</summary>
public sealed record UniswapV2Deployment
{
    [JsonPropertyName("factory")] public string? Factory { get; init; }
    [JsonPropertyName("pairs")] public IReadOnlyList<string> Pairs { get; init; } = [];
}
