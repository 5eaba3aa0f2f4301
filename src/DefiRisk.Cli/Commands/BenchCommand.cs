using System.CommandLine;
using DefiRisk.Chain.Harness;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk bench index --fixture DIR</c>: serves a fixture on a fresh anvil, indexes it into a
/// temporary database and prints throughput and RPC cost per position.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var fixture = new Option<string>("--fixture") { Description = "fixture directory (manifest.json + state)", DefaultValueFactory = _ => Path.Combine("fixtures", "demo") };
        var runs = new Option<int>("--runs") { Description = "timed runs (each on an empty database)", DefaultValueFactory = _ => 3 };
        var index = new Command("index", "Benchmark indexing a fixture.") { fixture, runs };
        index.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(fixture)!;
            if (!Directory.Exists(dir)) throw new DefiRiskException($"fixture directory {dir} does not exist");
            await using var server = await FixtureServer.StartAsync(dir, ct: ct);
            var n = Math.Max(1, parse.GetValue(runs));
            Console.Out.WriteLine($"fixture {dir}: anvil loaded in {server.LoadTime.TotalMilliseconds:0} ms, block {server.Block}");
            for (var i = 1; i <= n; i++)
            {
                var temp = Directory.CreateTempSubdirectory("defirisk-bench-");
                try
                {
                    var request = new IndexCommand.IndexRequest(server.RpcUrl, Path.Combine(temp.FullName, "bench.db"),
                        Path.Combine(dir, FixtureServer.ManifestFile), IndexCommand.BlockChoice.Default);
                    var r = await IndexCommand.RunAsync(request, AppSettings.Load(), new RpcOptions(), null, ct);
                    var positions = Math.Max(1, r.Snapshot.PositionCount);
                    Console.Out.WriteLine(
                        $"run {i}: {r.Snapshot.PositionCount} positions in {r.Elapsed.TotalMilliseconds:0} ms = " +
                        $"{r.Snapshot.PositionCount / r.Elapsed.TotalSeconds:0} positions/s; " +
                        $"{r.EthCalls} eth_calls ({(double)r.EthCalls / positions:0.00}/position), " +
                        $"{r.HttpRequests} HTTP requests ({(double)r.HttpRequests / positions:0.000}/position), {r.LogRequests} eth_getLogs");
                }
                finally { temp.Delete(recursive: true); }
            }
            return ExitCodes.Ok;
        });
        return new Command("bench", "Benchmarks.") { index };
    }
}
