namespace DefiRisk.Chain.Indexing;

/// <summary>A progress report: <paramref name="Stage"/> ("discover aave-v3 core", "read morpho-blue"…), work done of total.</summary>
public sealed record IndexProgress(string Stage, long Done, long Total, string? Detail = null);
