using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;

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
            try
            {
                return new AppSettings(JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                    ?? throw new DefiRiskException($"{path} is empty"), path);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                throw new DefiRiskException($"malformed {path}: {ex.Message.Split('\n')[0]}");
            }
        }
        return new AppSettings(new JsonObject(), null);
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
