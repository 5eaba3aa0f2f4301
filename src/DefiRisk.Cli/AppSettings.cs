using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Cli;

/// <summary>
/// <c>appsettings.json</c>: default RPC endpoint and database path, and per chain id ("1" = mainnet) the
/// deployments to index when no <c>--deployments</c> file is given. Looked for in the working directory,
/// then beside the executable. Plain System.Text.Json: the file is small and read once.
/// </summary>
internal sealed class AppSettings
{
    public const string FileName = "appsettings.json";

    private readonly JsonObject _root;
    public string? Path { get; }

    private AppSettings(JsonObject root, string? path) { _root = root; Path = path; }

    public string? Rpc => _root["Rpc"]?.GetValue<string>();
    public string? Database => _root["Database"]?.GetValue<string>();

    public static AppSettings Load()
    {
        foreach (var dir in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var path = System.IO.Path.Combine(dir, FileName);
            if (!File.Exists(path)) continue;
            return Parse(File.ReadAllText(path), path);
        }
        return new AppSettings(new JsonObject(), null);
    }

    /// <summary>Settings from JSON text; <paramref name="path"/> names it in messages.</summary>
    internal static AppSettings Parse(string json, string path)
    {
        try
        {
            return new AppSettings(JsonNode.Parse(json, documentOptions: new() { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                ?? throw new DefiRiskException($"{path} is empty"), path);
        }
        catch (JsonException ex)
        {
            throw new DefiRiskException($"malformed {path}: {JsonErrorText.Describe(ex, json)}");
        }
        catch (InvalidOperationException ex)
        {
            throw new DefiRiskException($"malformed {path}: {ex.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// The analysis defaults of the <c>Simulation</c> section (command-line options override them): <c>MaxRounds</c>,
    /// <c>GasCostUsd</c> per liquidation call, <c>LegGasCostUsd</c> per extra leg of a split sale (best execution; default $3),
    /// <c>OracleLagRounds</c>, <c>LiquidatorCapitalPerRoundUsd</c> (null = unlimited),
    /// <c>StepSeconds</c>, <c>Market</c> ("replay" or "mainnet", <see cref="MarketModelChoice"/>).
    /// Unknown keys and out-of-range values are refused, naming the key.
    /// </summary>
    /// <param name="market">the market model given on the command line (<see cref="MarketModelChoice"/>); null: the section's
    /// <c>Market</c>, else <see cref="MarketModelChoice.Default"/>. Applied after the numbers, so the mainnet gas default fills
    /// only a gas cost left at 0.</param>
    public SimulationOptions SimulationDefaults(string? market = null)
    {
        var options = SimulationOptions.Default;
        if (_root["Simulation"] is not JsonObject section) return MarketModelChoice.Apply(options, market ?? MarketModelChoice.Default);
        string[] known = ["MaxRounds", "GasCostUsd", "LegGasCostUsd", "OracleLagRounds", "LiquidatorCapitalPerRoundUsd", "StepSeconds", "Market",
            "RecoveryHalfLifeRounds", "CorrelationGroups"];
        string? configured = null;
        double? halfLife = null;
        List<IReadOnlyList<string>>? groups = null;
        foreach (var (key, value) in section)
        {
            if (Array.IndexOf(known, key) < 0)
                throw new DefiRiskException($"{Path}: Simulation.{key}: unknown key (allowed: {string.Join(", ", known)})");
            if (value is null) continue;
            if (key == "CorrelationGroups")
            {
                // [["WBTC", "cbBTC"], …]: each group's members, symbols or addresses, as --correlate takes them.
                groups = value is JsonArray list && list.All(g => g is JsonArray members && members.All(m => m?.GetValueKind() == JsonValueKind.String))
                    ? list.Select(g => PriceDynamics.ParseGroup(string.Join(",", g!.AsArray().Select(m => m!.GetValue<string>())),
                        $"{Path}: Simulation.CorrelationGroups")).ToList()
                    : throw new DefiRiskException($"{Path}: Simulation.CorrelationGroups: expected an array of arrays of asset names, e.g. [[\"WBTC\", \"cbBTC\"]]");
                continue;
            }
            if (key == "RecoveryHalfLifeRounds")
            {
                halfLife = PriceDynamics.ParseHalfLife(value.ToJsonString(), $"{Path}: Simulation.RecoveryHalfLifeRounds");
                continue;
            }
            if (key == "Market")
            {
                configured = value.GetValueKind() == JsonValueKind.String
                    ? MarketModelChoice.Parse(value.GetValue<string>(), $"{Path}: Simulation.Market")
                    : throw new DefiRiskException($"{Path}: Simulation.Market: expected {string.Join(" or ", MarketModelChoice.Names.Select(n => $"\"{n}\""))}");
                continue;
            }
            decimal number;
            try { number = value.GetValue<decimal>(); }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            { throw new DefiRiskException($"{Path}: Simulation.{key}: expected a number"); }
            options = key switch
            {
                "MaxRounds" when number is >= 1 and <= 10_000 && number == decimal.Truncate(number) => options with { MaxRounds = (int)number },
                "StepSeconds" when number is >= 1 and <= Commands.SimulationInput.MaxStepSeconds && number == decimal.Truncate(number) =>
                    options with { StepSeconds = (long)number },
                "OracleLagRounds" when number is >= 0 and <= 1_000 && number == decimal.Truncate(number) =>
                    options with { OracleModel = number == 0 ? ImmediateOracle.Instance : new LaggedOracle((int)number) },
                "GasCostUsd" when number is >= 0 and <= 1_000_000 => options with { GasCostUsd = UsdUnits(number) },
                "LegGasCostUsd" when number is >= 0 and <= 1_000_000 => options with { Liquidators = options.Liquidators with { LegGasCostUsd = UsdUnits(number) } },
                "LiquidatorCapitalPerRoundUsd" when number is >= 0 and <= 1e15m => options with { LiquidatorCapitalPerRoundUsd = UsdUnits(number) },
                _ => throw new DefiRiskException($"{Path}: Simulation.{key}: {number.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range"),
            };
        }
        options = MarketModelChoice.Apply(options, market ?? configured ?? MarketModelChoice.Default);
        // The configured price dynamics belong to the one-price model: under the replay model there is no one price to move.
        if ((halfLife is not null || groups is not null) && options.MarketPrices.OnePrice)
            options = new PriceDynamics(halfLife, groups).Apply(options, "Simulation.RecoveryHalfLifeRounds and Simulation.CorrelationGroups");
        return options;

        // USD with 8 decimals, the analyser's unit for gas and capital.
        static System.Numerics.BigInteger UsdUnits(decimal usd) => new(decimal.Floor(usd * 100_000_000m));
    }

    /// <summary>
    /// How much the indexer asks of the node at once, from the <c>RpcLimits</c> section: <c>BatchSize</c> (eth_calls per
    /// JSON-RPC batch), <c>LogChunk</c> (blocks per eth_getLogs request to start with), <c>Concurrency</c> (requests in
    /// flight), <c>CallsPerRead</c> (view calls per eth_call through the read lens; 1: off). Missing keys keep <see cref="RpcOptions"/>' defaults; unknown keys and out-of-range values are refused, naming the key.
    /// </summary>
    public RpcOptions RpcLimits()
    {
        var options = new RpcOptions();
        if (_root["RpcLimits"] is not JsonObject section) return options;
        string[] known = ["BatchSize", "LogChunk", "Concurrency", "CallsPerRead"];
        foreach (var (key, value) in section)
        {
            if (Array.IndexOf(known, key) < 0)
                throw new DefiRiskException($"{Path}: RpcLimits.{key}: unknown key (allowed: {string.Join(", ", known)})");
            if (value is null) continue;
            long number;
            try { number = value.GetValue<long>(); }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            { throw new DefiRiskException($"{Path}: RpcLimits.{key}: expected a whole number"); }
            options = key switch
            {
                "BatchSize" => options with { BatchSize = (int)Math.Clamp(number, int.MinValue, int.MaxValue) },
                "LogChunk" => options with { LogChunkBlocks = number },
                "CallsPerRead" => options with { CallsPerRead = (int)Math.Clamp(number, int.MinValue, int.MaxValue) },
                _ => options with { Concurrency = (int)Math.Clamp(number, int.MinValue, int.MaxValue) },
            };
        }
        return options.Validated(key => $"{Path}: RpcLimits.{key}");
    }

    /// <summary>The deployments section for <paramref name="chainId"/>.</summary>
    public DeploymentManifest Deployments(long chainId)
    {
        var key = chainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var node = _root["Deployments"]?[key]
            ?? throw new DefiRiskException(Path is null
                ? $"no --deployments file given and no {FileName} found (the node is chain {chainId})"
                : $"{Path} has no Deployments.\"{key}\" section for the node's chain {chainId}; pass --deployments FILE", ExitCodes.UserError);
        var manifest = node.DeepClone().AsObject();
        manifest["chainId"] ??= chainId;
        return DeploymentManifest.Parse(manifest.ToJsonString(), $"{Path} Deployments.{key}");
    }
}
