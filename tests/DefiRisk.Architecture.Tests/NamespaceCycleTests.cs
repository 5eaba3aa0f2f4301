using ArchUnitNET.Domain;
using ArchUnitNET.Loader;

namespace DefiRisk.Architecture.Tests;

/// <summary>
/// No import loops: the namespaces of every DefiRisk assembly form a directed acyclic graph of dependencies (a type in A
/// using a type in B is an edge A → B). A loop means two parts cannot be understood, tested or replaced apart — the
/// engines would know a breaker, or the indexer a protocol.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(
        typeof(DefiRisk.Core.Domain.Snapshot).Assembly,
        typeof(DefiRisk.Chain.Indexing.Indexer).Assembly,
        typeof(DefiRisk.Storage.SnapshotStore).Assembly,
        typeof(DefiRisk.Reporting.ReportWriter).Assembly,
        typeof(DefiRisk.Harness.FixtureBuilder).Assembly,
        System.Reflection.Assembly.Load("defirisk")).Build();

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        var graph = Graph();
        var cycles = Cycles(graph);
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Select(c => string.Join(" ⇄ ", c) + "\n  " +
            string.Join("\n  ", Witnesses(c)))));
    }

    [Fact]
    public void The_loops_the_refactor_removed_stay_removed()
    {
        var graph = Graph();
        Assert.False(Reaches(graph, "DefiRisk.Core.Analysis", "DefiRisk.Core.Breakers"), "Core.Analysis must not depend on Core.Breakers");
        // The indexer is handed the registry's adapters; it must not use one itself.
        Assert.DoesNotContain("DefiRisk.Chain.Protocols.AaveV3", graph["DefiRisk.Chain.Indexing"]);
        Assert.False(Reaches(graph, "DefiRisk.Chain.Protocols.AaveV3", "DefiRisk.Chain.Indexing"), "a chain adapter must not depend on the indexer");
        Assert.False(Reaches(graph, "DefiRisk.Core.Analysis", "DefiRisk.Core.Protocols.AaveV3"), "the engines must not depend on a protocol family");
        Assert.False(Reaches(graph, "DefiRisk.Core.Analysis", "DefiRisk.Core.Venues.UniswapV2"), "the engines must not depend on a venue");
    }

    [Fact]
    public void Only_the_command_line_uses_the_stress_engine_and_only_the_reports_read_its_results()
    {
        var graph = Graph();
        Assert.True(graph.ContainsKey("DefiRisk.Core.Stress"), "the stress namespace moved: update this test");
        var users = graph.Where(kv => kv.Key != "DefiRisk.Core.Stress" && kv.Value.Contains("DefiRisk.Core.Stress")).Select(kv => kv.Key).ToList();
        // The report's value-at-risk section renders a StressResult (issue 16, Build 5); nothing else outside the CLI may use it.
        Assert.True(users.All(u => u.StartsWith("DefiRisk.Cli", StringComparison.Ordinal) || u == "DefiRisk.Reporting"), "Core.Stress used by " + string.Join(", ", users));
        Assert.False(Reaches(graph, "DefiRisk.Core.Analysis", "DefiRisk.Core.Stress"), "the engines must not depend on the stress runner");
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle_and_only_a_cycle()
    {
        var acyclic = new Dictionary<string, HashSet<string>> { ["a"] = ["b"], ["b"] = ["c"], ["c"] = [] };
        Assert.Empty(Cycles(acyclic));
        var loop = new Dictionary<string, HashSet<string>> { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"], ["d"] = ["a"] };
        var cycle = Assert.Single(Cycles(loop));
        Assert.Equal(["a", "b", "c"], cycle.Order());
    }

    /// <summary>Namespace → the namespaces its types use (DefiRisk's own, tests excluded).</summary>
    private static Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in Architecture.Types)
        {
            var from = type.Namespace?.FullName;
            if (from is null || !IsOurs(from)) continue;
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = [];
            foreach (var d in type.Dependencies)
                if (d.Target is not GenericParameter && d.Target?.Namespace?.FullName is { } to && IsOurs(to) && to != from) edges.Add(to);
        }
        return graph;
    }

    /// <summary>For each edge inside a cycle, one type that makes it (what to move to break the loop).</summary>
    private static IEnumerable<string> Witnesses(List<string> cycle)
    {
        var members = cycle.ToHashSet();
        var seen = new HashSet<(string, string)>();
        foreach (var type in Architecture.Types)
        {
            var from = type.Namespace?.FullName;
            if (from is null || !members.Contains(from)) continue;
            foreach (var d in type.Dependencies)
                if (d.Target is not GenericParameter && d.Target?.Namespace?.FullName is { } to && to != from && members.Contains(to) && seen.Add((from, to)))
                    yield return $"{from} → {to}: {type.Name} uses {d.Target.Name}";
        }
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (n == to) return true;
            foreach (var m in graph.GetValueOrDefault(n) ?? []) stack.Push(m);
        }
        return false;
    }

    private static bool IsOurs(string ns) => ns.StartsWith("DefiRisk.", StringComparison.Ordinal) && !ns.Contains(".Tests", StringComparison.Ordinal);

    /// <summary>The strongly connected components with more than one namespace (Tarjan), each sorted.</summary>
    internal static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        var counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.Order().ToList());
        }
        foreach (var v in graph.Keys.Order()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
