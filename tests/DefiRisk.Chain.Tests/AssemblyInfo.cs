// Several tests capture the process-wide Console.Error (Console.SetError) to check that a failing verb prints exactly
// one line; tests running in parallel in other collections write their own CLI errors to the same stream. Collections
// therefore run one after another; tests within a collection share one anvil anyway.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
