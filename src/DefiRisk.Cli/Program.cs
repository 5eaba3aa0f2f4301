using System.CommandLine;
using DefiRisk.Cli.Commands;

// Composition root: verbs are wired by hand (no DI container until a second root appears).
var root = new RootCommand("DefiRisk: liquidation cascades across lending protocols, and what circuit breakers would change.");
foreach (var verb in Verbs.All())
    root.Subcommands.Add(verb);
return await CliRunner.RunAsync(root, args);
