using System.Text;
using System.Text.RegularExpressions;

namespace DefiRisk.Architecture.Tests;

/// <summary>
/// Protocol knowledge stays home: outside a <c>Protocols/</c> or <c>Venues/</c> folder, the harness and the registries,
/// no source file names a protocol or venue in code (identifiers and string literals; comments do not count). A new
/// family is then a new folder and a registry line, and the engines cannot grow an "is this Aave?" branch unseen.
/// </summary>
public sealed partial class ProtocolKnowledgeTests
{
    /// <summary>Files allowed to name a protocol anyway (at most 3), each with why. None is needed today.</summary>
    private static readonly IReadOnlyDictionary<string, string> Exceptions = new Dictionary<string, string>();

    [GeneratedRegex("aave|morpho|uniswap", RegexOptions.IgnoreCase)]
    private static partial Regex ProtocolName();

    [Fact]
    public void No_source_file_outside_the_protocol_and_venue_folders_names_a_protocol_in_code()
    {
        Assert.True(Exceptions.Count <= 3, "at most 3 listed exceptions");
        var root = RepositoryRoot();
        var leaks = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.Contains("/obj/") || rel.Contains("/bin/") || IsHome(rel) || Exceptions.ContainsKey(rel)) continue;
            var code = WithoutComments(File.ReadAllText(file));
            var lines = code.Split('\n');
            for (var i = 0; i < lines.Length; i++)
                if (ProtocolName().Match(lines[i]) is { Success: true } m)
                    leaks.Add($"{rel}:{i + 1}: '{m.Value}' in {lines[i].Trim()}");
        }
        Assert.True(leaks.Count == 0, "protocol knowledge outside its folders:\n" + string.Join("\n", leaks.Take(30)));
    }

    [Fact]
    public void Every_listed_exception_still_exists_so_the_list_cannot_rot()
    {
        var root = RepositoryRoot();
        foreach (var (file, why) in Exceptions)
        {
            Assert.False(string.IsNullOrWhiteSpace(why), $"{file} is listed without a reason");
            Assert.True(File.Exists(Path.Combine(root, file)), $"{file} is listed as an exception but does not exist");
        }
    }

    /// <summary>Where protocol knowledge lives: its folders, the harness (it deploys the real contracts), the registries.</summary>
    internal static bool IsHome(string relativePath) =>
        relativePath.Contains("/Protocols/") || relativePath.Contains("/Venues/") || relativePath.StartsWith("src/DefiRisk.Harness/", StringComparison.Ordinal)
        || Path.GetFileName(relativePath).Contains("Registry", StringComparison.Ordinal);

    [Theory]
    [InlineData("var x = 1; // Aave's rule", false)]
    [InlineData("/* Morpho\n Blue */ var y = 2;", false)]
    [InlineData("/// <summary>Uniswap v2</summary>\nint z;", false)]
    [InlineData("var s = \"aave-v3\";", true)]
    [InlineData("var s = $\"{n} Morpho markets\";", true)]
    [InlineData("var s = @\"Uniswap \"\"v2\"\"\";", true)]
    [InlineData("var s = \"\"\"\n  morpho\n  \"\"\";", true)]
    [InlineData("AaveV3Book book;", true)]
    [InlineData("var s = \"// not a comment: aave\";", true)]
    [InlineData("var c = '/'; var d = '\"'; // morpho", false)]
    public void The_scan_sees_code_and_strings_but_not_comments(string source, bool names)
    {
        Assert.Equal(names, ProtocolName().IsMatch(WithoutComments(source)));
    }

    [Theory]
    [InlineData("src/DefiRisk.Core/Protocols/AaveV3/AaveV3Book.cs", true)]
    [InlineData("src/DefiRisk.Storage/Venues/UniswapV2/UniswapV2Storage.cs", true)]
    [InlineData("src/DefiRisk.Harness/FixtureBuilder.cs", true)]
    [InlineData("src/DefiRisk.Chain/ChainRegistry.cs", true)]
    [InlineData("src/DefiRisk.Core/Analysis/ExactCascade.cs", false)]
    [InlineData("src/DefiRisk.Cli/Commands/PositionsCommand.cs", false)]
    public void Only_the_family_folders_the_harness_and_the_registries_are_home(string path, bool home)
    {
        Assert.Equal(home, IsHome(path));
    }

    /// <summary>
    /// C# source with comments blanked (line breaks kept, so line numbers hold) and string and char literals kept: a
    /// small lexer for //, /* */, "…", @"…", $"…", raw """…""" strings and '…' chars.
    /// </summary>
    internal static string WithoutComments(string s)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
            {
                while (i < s.Length && s[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                foreach (var x in s.AsSpan(i, end - i)) if (x == '\n') sb.Append('\n');
                i = end;
                continue;
            }
            if (c == '"' && i + 2 < s.Length && s[i + 1] == '"' && s[i + 2] == '"')
            {
                var quotes = 0;
                while (i < s.Length && s[i] == '"') { quotes++; i++; }
                var close = new string('"', quotes);
                var end = s.IndexOf(close, i, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + quotes;
                sb.Append(close).Append(s, i, Math.Max(0, end - i));
                i = end;
                continue;
            }
            if (c == '"')
            {
                var verbatim = i > 0 && (s[i - 1] == '@' || (s[i - 1] == '$' && i > 1 && s[i - 2] == '@'));
                sb.Append(c);
                i++;
                while (i < s.Length)
                {
                    if (!verbatim && s[i] == '\\' && i + 1 < s.Length) { sb.Append(s, i, 2); i += 2; continue; }
                    if (s[i] == '"')
                    {
                        if (verbatim && i + 1 < s.Length && s[i + 1] == '"') { sb.Append("\"\""); i += 2; continue; }
                        sb.Append('"');
                        i++;
                        break;
                    }
                    sb.Append(s[i]);
                    i++;
                }
                continue;
            }
            if (c == '\'')
            {
                var end = i + 1;
                while (end < s.Length && s[end] != '\'' && s[end] != '\n') end += s[end] == '\\' ? 2 : 1;
                end = Math.Min(s.Length, end + 1);
                sb.Append(s, i, end - i);
                i = end;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DefiRisk.sln"))) return dir.FullName;
        throw new InvalidOperationException("DefiRisk.sln not found above the test binaries");
    }
}
