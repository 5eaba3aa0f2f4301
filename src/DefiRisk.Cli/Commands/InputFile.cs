using DefiRisk.Core;

namespace DefiRisk.Cli.Commands;

/// <summary>A file the user names as input: a directory or a missing path is one line saying which.</summary>
internal static class InputFile
{
    /// <param name="what">how messages name it ("database", "--path")</param>
    /// <param name="hint">appended when the file does not exist</param>
    public static void Require(string path, string what, string hint = "")
    {
        if (Directory.Exists(path)) throw new DefiRiskException($"{what} {path} is a directory, not a file");
        if (!File.Exists(path)) throw new DefiRiskException($"{what} {path} does not exist{hint}");
    }
}

/// <summary>A file the user names as output (<c>--json</c>, <c>--report</c>): refused before anything runs when it cannot be one.</summary>
internal static class OutputFile
{
    public static void Check(string path, string what)
    {
        if (path == "-") return;
        if (Directory.Exists(path)) throw new DefiRiskException($"{what} {path} is a directory, not a file");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new DefiRiskException($"{what} {path}: directory {dir} does not exist");
    }
}
