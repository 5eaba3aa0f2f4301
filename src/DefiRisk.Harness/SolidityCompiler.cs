using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Compiles Morpho Blue (the package ships source only) and our own fixture contracts with the npm
/// solc 0.8.19 (<c>solcjs --standard-json</c>), using the settings of Morpho's upstream foundry.toml
/// (LOCAL-CHAIN §3): viaIR, optimizer 999,999 runs, evmVersion paris, metadata bytecodeHash none.
/// solcjs takes several seconds, so the output is cached in <c>&lt;repo&gt;/.defirisk-cache/</c> under a
/// hash of the whole standard-JSON input: same sources and settings, same bytecode.
/// </summary>
public sealed class SolidityCompiler(NodeModules nodeModules, string? cacheDirectory = null)
{
    /// <summary>The contracts the fixture deploys, by "sourceKey:Name".</summary>
    public static readonly IReadOnlyList<(string Source, string Name)> FixtureContracts =
    [
        ("src/Morpho.sol", "Morpho"),
        ("src/mocks/OracleMock.sol", "OracleMock"),
        ("src/mocks/IrmMock.sol", "IrmMock"),
        ("fixtures/contracts/ExchangeRateAggregator.sol", "ExchangeRateAggregator"),
    ];

    public string CacheDirectory { get; } = cacheDirectory ?? Path.Combine(nodeModules.RepositoryRoot, ".defirisk-cache");

    /// <summary>True when the last <see cref="CompileFixtureContractsAsync"/> ran solc (false: served from the cache).</summary>
    public bool Compiled { get; private set; }

    /// <summary>Morpho, OracleMock, IrmMock and ExchangeRateAggregator, by contract name.</summary>
    public async Task<IReadOnlyDictionary<string, ContractArtifact>> CompileFixtureContractsAsync(CancellationToken ct = default)
    {
        var sources = new JsonObject();
        var morphoSrc = nodeModules.Combine("@morpho-org", "morpho-blue", "src");
        if (!Directory.Exists(morphoSrc))
            throw new DefiRiskException($"Morpho Blue sources not found at {morphoSrc}: run `npm ci` in the repository root");
        // Every file under src/, keyed as src/..., so Morpho's relative imports resolve (sorted: stable hash).
        foreach (var file in Directory.GetFiles(morphoSrc, "*.sol", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            sources["src/" + Path.GetRelativePath(morphoSrc, file).Replace('\\', '/')] = new JsonObject { ["content"] = File.ReadAllText(file) };
        var ours = Path.Combine(nodeModules.RepositoryRoot, "fixtures", "contracts");
        foreach (var file in Directory.GetFiles(ours, "*.sol").Order(StringComparer.Ordinal))
            sources["fixtures/contracts/" + Path.GetFileName(file)] = new JsonObject { ["content"] = File.ReadAllText(file) };

        var selection = new JsonObject();
        foreach (var (source, name) in FixtureContracts)
            selection[source] = new JsonObject { [name] = new JsonArray("abi", "evm.bytecode.object") };
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = sources,
            ["settings"] = new JsonObject
            {
                ["viaIR"] = true,
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 999999 },
                ["evmVersion"] = "paris",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = selection,
            },
        };
        var (output, compiled) = await CompileCachedAsync(nodeModules.Solcjs, "0.8.19", input, CacheDirectory, ct).ConfigureAwait(false);
        Compiled = compiled;
        var result = new Dictionary<string, ContractArtifact>();
        foreach (var (source, name) in FixtureContracts)
        {
            var c = output["contracts"]?[source]?[name]
                ?? throw new DefiRiskException($"solc output lacks {source}:{name}");
            result[name] = new ContractArtifact(name, c["abi"]!.ToJsonString(), c["evm"]!["bytecode"]!["object"]!.GetValue<string>(), []);
        }
        return result;
    }

    /// <summary>
    /// Runs <paramref name="solcjs"/> on a standard-JSON input, or serves its earlier output from
    /// <paramref name="cacheDirectory"/> (file <c>solc-&lt;version&gt;-&lt;hash of the input&gt;.json</c>). Fails with the
    /// first error solc reports. Compiled: whether solc ran.
    /// </summary>
    internal static async Task<(JsonObject Output, bool Compiled)> CompileCachedAsync(
        string solcjs, string version, JsonObject input, string cacheDirectory, CancellationToken ct)
    {
        var inputText = input.ToJsonString();
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(inputText)))[..16].ToLowerInvariant();
        var cacheFile = Path.Combine(cacheDirectory, $"solc-{version}-{key}.json");
        var compiled = !File.Exists(cacheFile);
        var outputText = compiled
            ? await RunSolcAsync(solcjs, inputText, ct).ConfigureAwait(false)
            : await File.ReadAllTextAsync(cacheFile, ct).ConfigureAwait(false);

        var output = JsonNode.Parse(outputText)!.AsObject();
        if (output["errors"] is JsonArray errors)
        {
            var fatal = errors.Where(e => e!["severity"]?.GetValue<string>() == "error").ToList();
            if (fatal.Count > 0)
            {
                // formattedMessage: "DeclarationError: …\n --> file.sol:3:35:\n…"; the location goes first, as compilers print it.
                var lines = (fatal[0]!["formattedMessage"]?.GetValue<string>() ?? "").Split('\n');
                var at = lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("--> ", StringComparison.Ordinal))?[4..].TrimEnd(':');
                throw new DefiRiskException($"solc {version} failed: {(at is null ? "" : at + ": ")}{lines[0]}");
            }
        }
        if (compiled)
        {
            Directory.CreateDirectory(cacheDirectory);
            var temp = $"{cacheFile}.{Guid.NewGuid():N}.tmp"; // concurrent builds (parallel tests) must not share it
            await File.WriteAllTextAsync(temp, outputText, ct).ConfigureAwait(false);
            File.Move(temp, cacheFile, overwrite: true);
        }
        return (output, compiled);
    }

    /// <summary>Runs this repository's solcjs 0.8.19 on a standard-JSON input (the Uniswap v3 harness compiles through it).</summary>
    internal Task<string> RunSolcAsync(string input, CancellationToken ct) => RunSolcAsync(nodeModules.Solcjs, input, ct);

    private static async Task<string> RunSolcAsync(string solcjs, string input, CancellationToken ct)
    {
        if (!File.Exists(solcjs))
            throw new DefiRiskException($"solcjs not found at {solcjs}: run `npm ci` in the repository root");
        // solcjs reads stdin with readFileSync(0), which fails on the non-blocking pipe .NET hands it:
        // give it a file instead, through the shell's redirection.
        // Its output goes to a file too: solcjs ends with process.exit, which cuts a large output written to a pipe
        // at 64 KiB (Aave's is megabytes).
        var inputFile = Path.Combine(Path.GetTempPath(), $"defirisk-solc-{Guid.NewGuid():N}.json");
        var outputFile = inputFile + ".out";
        await File.WriteAllTextAsync(inputFile, input, ct).ConfigureAwait(false);
        try
        {
            var psi = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" --standard-json < \"$1\" > \"$2\"");
            psi.ArgumentList.Add(solcjs);
            psi.ArgumentList.Add(inputFile);
            psi.ArgumentList.Add(outputFile);
            using var process = Process.Start(psi) ?? throw new DefiRiskException($"could not start {solcjs}");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            await stdout.ConfigureAwait(false);
            var text = File.Exists(outputFile) ? await File.ReadAllTextAsync(outputFile, ct).ConfigureAwait(false) : "";
            // solcjs prints a note (">>> Cannot retry compilation with SMT…") before the JSON.
            var start = text.IndexOf('{', StringComparison.Ordinal);
            if (process.ExitCode != 0 || start < 0)
                throw new DefiRiskException($"solcjs exited with code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Split('\n')[0]}");
            return text[start..];
        }
        finally
        {
            File.Delete(inputFile);
            File.Delete(outputFile);
        }
    }
}
