using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using DefiRisk.Harness;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk fixture build --out DIR</c>: deploy the real protocols on a private anvil, open seeded
/// positions, save state + manifest. <c>defirisk fixture up DIR</c>: serve a saved fixture until Ctrl-C.
/// </summary>
internal static class FixtureCommands
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var fixture = new Command("fixture", $"Build or serve a local chain with {FixtureFacts.Contents}.");
        fixture.Subcommands.Add(Build(console));
        fixture.Subcommands.Add(Up(console));
        fixture.Subcommands.Add(FixtureCaptureCommand.Create());
        return fixture;
    }

    private static Option<string?> JsonOption() => Json.Option("the result");

    private static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "Print only the result line." };

    private static Command Build(IAnsiConsole? console)
    {
        var outDir = new Option<string>("--out") { Description = "Directory to write state.json (or state.json.gz) and manifest.json to.", Required = true };
        var profile = new Option<string>("--profile")
        {
            Description = "Population and pool depths: demo (400 borrowers, shallow pools) or mainnet-like (3,000 borrowers, whales, HF dense above 1, pools a cascade moves).",
            DefaultValueFactory = _ => "demo",
        };
        profile.AcceptOnlyFromAmong("demo", "mainnet-like");
        var borrowers = new Option<int?>("--borrowers") { Description = "Number of borrowers to generate (default: 400 for demo, 3000 for mainnet-like)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the borrower generator: same seed, same fixture.", DefaultValueFactory = _ => 42 };
        var port = new Option<int>("--port") { Description = "Port of the build's anvil (default: a free one).", DefaultValueFactory = _ => 0 };
        var feedHistory = new Option<int?>("--feed-history-rounds") { Description = "Give each market feed this many hourly oracle rounds behind a two-phase proxy, for `index --price-history-days` and `stress` (default: none)." };
        var quiet = QuietOption();
        var json = JsonOption();
        var command = new Command("build", "Deploy the protocols on a fresh anvil, open positions and save the fixture.") { outDir, profile, borrowers, seed, port, feedHistory, quiet, json };
        // One option per protocol whose release the harness can deploy, after --profile.
        var releases = FixtureBuilder.ReleaseChoices.Select(choice =>
        {
            var option = new Option<string>(choice.Option) { Description = choice.Description, DefaultValueFactory = _ => choice.Default };
            option.AcceptOnlyFromAmong([.. choice.Values]);
            return (Choice: choice, Option: option);
        }).ToList();
        for (var i = 0; i < releases.Count; i++) command.Options.Insert(2 + i, releases[i].Option);
        command.SetAction(async (parse, ct) =>
        {
            var ui = console ?? AnsiConsole.Console;
            var kind = FixtureBuilder.ParseProfile(parse.GetValue(profile)!);
            var options = new FixtureBuildOptions
            {
                Profile = kind,
                Borrowers = parse.GetValue(borrowers) ?? FixtureBuilder.DefaultBorrowers(kind),
                Seed = parse.GetValue(seed),
                Port = parse.GetValue(port),
                FeedHistory = parse.GetValue(feedHistory) is { } rounds ? new FeedHistorySpec(rounds, 3600, parse.GetValue(seed)).Validated() : null,
            };
            foreach (var (choice, option) in releases) options = choice.Apply(options, parse.GetValue(option)!);
            var dir = parse.GetValue(outDir)!;
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            var asJson = jsonTarget == "-";
            using var result = await WithProgressAsync(ui, parse.GetValue(quiet) || asJson, "building fixture",
                progress => new FixtureBuilder(options, progress: progress).BuildAsync(ct)).ConfigureAwait(false);
            var statePath = result.WriteTo(dir);
            var f = result.Facts;
            if (jsonTarget is not null)
            {
                Json.Write(new
                {
                    directory = dir, chainId = options.ChainId, releases = releases.ToDictionary(r => r.Choice.Key, r => r.Choice.Current(options)), block = f.Block, borrowers = f.Borrowers.Count, borrowersByProtocol = f.BorrowersByProtocol,
                    crossProtocolBorrowers = f.CrossProtocolBorrowers, transactions = f.Transactions,
                    stateBytes = new FileInfo(statePath).Length, seconds = result.Elapsed.TotalSeconds,
                }, jsonTarget);
                if (asJson) return 0;
            }
            ui.WriteLine(FormattableString.Invariant(
                $"fixture written to {dir}: {string.Concat(releases.Select(r => $"{r.Choice.Label} {r.Choice.Current(options)}, "))}block {f.Block}, {f.Borrowers.Count} borrowers ({string.Join(", ", f.BorrowersByProtocol.Select(kv => $"{kv.Value} {kv.Key}"))}, {f.CrossProtocolBorrowers} on several), {f.Transactions} txs, state {new FileInfo(statePath).Length / 1024} KiB, {result.Elapsed.TotalSeconds:0.0} s"));
            return 0;
        });
        return command;
    }

    private static Command Up(IAnsiConsole? console)
    {
        var dir = new Argument<string>("dir") { Description = "Fixture directory (manifest.json + state.json[.gz])." };
        var port = new Option<int>("--port") { Description = "Port to serve on.", DefaultValueFactory = _ => 8545 };
        var quiet = QuietOption();
        var json = JsonOption();
        var command = new Command("up", "Serve a saved fixture on anvil until Ctrl-C.") { dir, port, quiet, json };
        command.SetAction(async (parse, ct) =>
        {
            var ui = console ?? AnsiConsole.Console;
            if (!ui.Profile.Capabilities.Interactive) ui.Profile.Width = 1000;
            var path = parse.GetValue(dir)!;
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            // Without these, SIGTERM/SIGINT end the process at once and leave anvil and the inflated state file behind:
            // cancel instead, from the first moment (a signal while the state loads too), so that disposing the server
            // stops anvil and deletes its temporary state. Registered before starting anything.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void OnSignal(PosixSignalContext context) { context.Cancel = true; stop.Cancel(); }
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
            await using var server = await FixtureServer.StartAsync(path, parse.GetValue(port), ct: stop.Token).ConfigureAwait(false);
            if (jsonTarget is not null)
                Json.Write(new { rpc = server.RpcUrl, chainId = server.Manifest.ChainId, block = server.Block, directory = path }, jsonTarget);
            if (jsonTarget == "-") { /* stdout carries the JSON only */ }
            else if (parse.GetValue(quiet))
                ui.WriteLine(server.RpcUrl);
            else
                ui.WriteLine(FormattableString.Invariant(
                    $"serving {path} at {server.RpcUrl} (chain {server.Manifest.ChainId}, block {server.Block}, loaded in {server.LoadTime.TotalMilliseconds:0} ms); Ctrl-C to stop"));
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: dispose stops anvil politely.
            }
            return 0;
        });
        return command;
    }

    /// <summary>A Spectre status spinner when the terminal is interactive; otherwise one plain line per milestone.</summary>
    private static async Task<T> WithProgressAsync<T>(IAnsiConsole ui, bool quiet, string title, Func<IProgress<string>, Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        // Plain milestone lines go to logs and pipes: never wrap them at the default 80 columns.
        if (!ui.Profile.Capabilities.Interactive) ui.Profile.Width = 1000;
        if (quiet) return await work(new Progress<string>(_ => { })).ConfigureAwait(false);
        if (ui.Profile.Capabilities.Interactive)
        {
            return await ui.Status().StartAsync(title, async ctx =>
            {
                var progress = new SynchronousProgress(m =>
                {
                    ctx.Status(Markup.Escape(m));
                    ui.MarkupLine(FormattableString.Invariant($"[grey]{clock.Elapsed.TotalSeconds,6:0.0}s[/] {Markup.Escape(m)}"));
                });
                return await work(progress).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        return await work(new SynchronousProgress(m => ui.WriteLine(FormattableString.Invariant($"{clock.Elapsed.TotalSeconds,6:0.0}s {m}")))).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread, in order (System.Progress posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
