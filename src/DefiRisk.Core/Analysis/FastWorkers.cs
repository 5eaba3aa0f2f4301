namespace DefiRisk.Core.Analysis;

/// <summary>
/// Runs independent fast-path cascades on a fixed set of workers, each with one state made once. Parallel.For's
/// thread-local init runs again whenever it restarts a task replica (dozens of times in a sweep), and a fast state copies
/// the position arrays — tens of MB for a million positions. Results depend only on the item index, never on the worker.
/// </summary>
internal static class FastWorkers
{
    public static void For<TState>(int count, int? threads, Func<TState> init, Action<int, TState> body)
    {
        var workers = Math.Max(1, Math.Min(threads ?? Environment.ProcessorCount, count));
        var next = -1;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var state = init();
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) body(i, state);
        });
    }
}
