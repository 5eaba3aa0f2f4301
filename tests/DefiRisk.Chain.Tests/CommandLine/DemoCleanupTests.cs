using System.Diagnostics;
using System.Globalization;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// <c>npm run demo</c> (<c>.ci/demo</c>) as a user runs it, in its own session and process group with its own TMPDIR and
/// output folder: it must leave no fixture server, no anvil and no inflated state file behind (issue 15, item 2).
/// About 40–60 s: one build check, one fixture load, an index, a simulation and two comparisons.
/// </summary>
[Trait("Category", "Demo")]
public sealed class DemoCleanupTests
{
    [Fact]
    public async Task The_demo_leaves_its_tmpdir_empty_and_no_process_of_its_group_alive()
    {
        var root = NodeModules.Locate().RepositoryRoot;
        var work = Directory.CreateTempSubdirectory("defirisk-demo-test-");
        var tmp = Directory.CreateDirectory(Path.Combine(work.FullName, "tmp")).FullName;
        var outDir = Path.Combine(work.FullName, "out");
        // setsid: the demo leads a new session and process group, whose id is its pid, so every process it starts
        // (npm, bash, dotnet, anvil) is findable by group afterwards, whatever re-parenting happened.
        var psi = new ProcessStartInfo("setsid", ["npm", "run", "demo"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["TMPDIR"] = tmp;
        psi.Environment["DEFIRISK_OUT"] = outDir;
        var log = new System.Text.StringBuilder();
        using var demo = Process.Start(psi) ?? throw new InvalidOperationException("could not start setsid npm run demo");
        demo.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        demo.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        var group = demo.Id;
        try
        {
            // While it runs, see the fixture server's inflated state appear in the demo's TMPDIR (so the check below is not vacuous).
            var sawState = false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
            var exited = demo.WaitForExitAsync(timeout.Token);
            while (!exited.IsCompleted)
            {
                sawState |= Directory.EnumerateFiles(tmp, "defirisk-state-*.json").Any();
                await Task.WhenAny(exited, Task.Delay(100));
            }
            await exited;
            demo.WaitForExit(); // drains the redirected output
            string text;
            lock (log) text = log.ToString();
            Assert.True(demo.ExitCode == 0, $"npm run demo exited {demo.ExitCode}:\n{text}");
            Assert.True(File.Exists(Path.Combine(outDir, "report.html")), "the demo wrote no report");
            Assert.True(sawState, "the fixture server never inflated its state into the demo's TMPDIR");

            // Nothing of the demo's process group may outlive it (a short grace for processes already exiting).
            var left = Members(group);
            for (var i = 0; i < 50 && left.Count > 0; i++)
            {
                await Task.Delay(100);
                left = Members(group);
            }
            Assert.True(left.Count == 0, "still running after the demo: " + string.Join("; ", left));
            var files = Directory.EnumerateFileSystemEntries(tmp, "*", SearchOption.AllDirectories).ToList();
            Assert.True(files.Count == 0, "left in TMPDIR: " + string.Join(", ", files));
        }
        finally
        {
            if (Members(group).Count > 0) Process.Start("kill", ["-KILL", "--", "-" + group.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            work.Delete(recursive: true);
        }
    }

    /// <summary>"pid command line" of every live process whose process group is <paramref name="group"/> (from /proc).</summary>
    private static List<string> Members(int group)
    {
        var members = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so parse after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z" || int.Parse(fields[2], CultureInfo.InvariantCulture) != group) continue;
                members.Add($"{pid} {File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim()}");
            }
            catch (IOException) { /* exited meanwhile */ }
            catch (UnauthorizedAccessException) { }
        }
        return members;
    }
}
