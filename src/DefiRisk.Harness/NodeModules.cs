using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Finds the repository's <c>node_modules</c>, where <c>npm ci</c> puts anvil, solc and the protocol
/// packages whose bytecode the harness deploys. Looks at <c>DEFIRISK_NODE_MODULES</c> first, then walks
/// up from the current directory and from the program's own directory to the first folder that holds
/// both <c>package.json</c> and <c>node_modules</c> (test runs start deep inside <c>bin/</c>).
/// </summary>
public sealed class NodeModules
{
    public const string EnvironmentVariable = "DEFIRISK_NODE_MODULES";

    private NodeModules(string path) => Path = path;

    /// <summary>Absolute path of the <c>node_modules</c> folder.</summary>
    public string Path { get; }

    /// <summary>The folder holding package.json (the repository root when found by walking up).</summary>
    public string RepositoryRoot => System.IO.Path.GetDirectoryName(Path)!;

    public string Anvil => Combine(".bin", "anvil");
    /// <summary>The npm <c>solc</c> package's own script (0.8.19), not <c>.bin/solcjs</c>: with <c>solc-0.8.27</c> installed
    /// beside it both packages declare that bin, and npm links whichever it installed last.</summary>
    public string Solcjs => Combine("solc", "solc.js");

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>The located folder, with anvil present; otherwise a <see cref="DefiRiskException"/> saying to run npm ci.</summary>
    public static NodeModules Locate() => Locate(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>As <see cref="Locate()"/>, with <paramref name="explicitPath"/> (when set) in place of the environment variable.</summary>
    public static NodeModules Locate(string? explicitPath)
    {
        var found = Find(explicitPath);
        var anvil = found is null ? System.IO.Path.Combine(Directory.GetCurrentDirectory(), "node_modules", ".bin", "anvil") : found.Anvil;
        if (found is null || !File.Exists(found.Anvil))
            throw new DefiRiskException($"anvil not found at {anvil}: run `npm ci` in the repository root");
        return found;
    }

    private static NodeModules? Find(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return new NodeModules(System.IO.Path.GetFullPath(explicitPath));
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var modules = System.IO.Path.Combine(dir.FullName, "node_modules");
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "package.json")) && Directory.Exists(modules))
                    return new NodeModules(modules);
            }
        }
        return null;
    }
}
