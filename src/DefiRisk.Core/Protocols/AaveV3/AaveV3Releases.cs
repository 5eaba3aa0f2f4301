namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// What one Aave-family implementation is: the release a (codebase, <c>POOL_REVISION</c>) pair names, and the Aave revision
/// whose rules apply (<see cref="RulesRevision"/>, the number <see cref="AaveV3Revision"/> and the Core rules branch on).
/// The reader surfaces follow from it.
/// </summary>
public sealed record AaveV3Release(string Codebase, int PoolRevision, string Name, int RulesRevision, string Source)
{
    /// <summary>3.1+: a per-reserve liquidation grace period (<c>getLiquidationGracePeriod</c>).</summary>
    public bool HasGracePeriod => RulesRevision >= AaveV3Revision.V3_1;

    /// <summary>3.1+: virtual accounting, a per-reserve cash balance (<c>getVirtualUnderlyingBalance</c>).</summary>
    public bool HasVirtualAccounting => RulesRevision >= AaveV3Revision.V3_1;

    /// <summary>3.2+: e-modes by collateral and borrowable bitmaps; the reserve configuration's e-mode bits are no longer
    /// maintained (docs/3.2 "Liquid eModes") and stable debt is gone.</summary>
    public bool HasEModeBitmaps => RulesRevision >= AaveV3Revision.V3_2;

    /// <summary>≤ 3.1: stable-rate debt exists and counts towards the account's debt.</summary>
    public bool HasStableDebt => !HasEModeBitmaps;

    /// <summary>3.3+: bad debt booked per reserve (<c>getReserveDeficit</c>).</summary>
    public bool HasDeficit => RulesRevision >= AaveV3Revision.V3_3;

    /// <summary>3.6+: <c>getEModeCategoryLtvzeroBitmap</c>.</summary>
    public bool HasLtvZeroBitmap => RulesRevision >= AaveV3Revision.V3_6;
}

/// <summary>
/// The table of Aave-family implementations the analyser models, per codebase. A pair that is not in it is refused by name
/// (never run under another release's rules): <see cref="Resolve"/> throws one line naming the deployment, the codebase and the
/// revision.
/// </summary>
public static class AaveV3Releases
{
    public const string Aave = "aave";
    public const string SparkLend = "sparklend";

    public static IReadOnlyList<string> Codebases { get; } = [Aave, SparkLend];

    /// <summary>
    /// aave: <c>@aave/core-v3</c> 1.x ships revisions 1–3 (v3.0.x); <c>aave-dao/aave-v3-origin</c> tags v3.1.0 → 4, v3.2.0 → 5,
    /// v3.2.1 → 6, v3.3.0 → 7, v3.4.0 → 8, v3.5.0 → 9, v3.6.0 → 10 (<c>src/contracts/instances/PoolInstance.sol</c>).
    /// sparklend: its own numbers. <c>sparkdotfi/sparklend-v1-core</c> <c>contracts/protocol/pool/Pool.sol</c> (revisions 1 to 4,
    /// 0x4 at 724971b) is v3.0.x logic — stable debt, e-mode by configuration bits, 3.0 close factor — so 1–4 run the 3.0 rules;
    /// that SparkLend revision 4 is Aave's 3.1 number is a coincidence the table must not follow.
    /// </summary>
    public static IReadOnlyList<AaveV3Release> Table { get; } =
    [
        new(Aave, 1, "3.0", 1, "@aave/core-v3 1.x"),
        new(Aave, 2, "3.0.1", 2, "@aave/core-v3 1.x"),
        new(Aave, 3, "3.0.2", 3, "@aave/core-v3 1.x"),
        new(Aave, 4, "3.1", AaveV3Revision.V3_1, "aave-v3-origin v3.1.0"),
        new(Aave, 5, "3.2", AaveV3Revision.V3_2, "aave-v3-origin v3.2.0"),
        new(Aave, 6, "3.2.1", 6, "aave-v3-origin v3.2.1"),
        new(Aave, 7, "3.3", AaveV3Revision.V3_3, "aave-v3-origin v3.3.0"),
        new(Aave, 8, "3.4", AaveV3Revision.V3_4, "aave-v3-origin v3.4.0"),
        new(Aave, 9, "3.5", AaveV3Revision.V3_5, "aave-v3-origin v3.5.0"),
        new(Aave, 10, "3.6", AaveV3Revision.V3_6, "aave-v3-origin v3.6.0"),
        new(SparkLend, 1, "sparklend-v1 r1 (Aave 3.0 logic)", 1, "sparklend-v1-core"),
        new(SparkLend, 2, "sparklend-v1 r2 (Aave 3.0 logic)", 1, "sparklend-v1-core"),
        new(SparkLend, 3, "sparklend-v1 r3 (Aave 3.0 logic)", 1, "sparklend-v1-core"),
        new(SparkLend, 4, "sparklend-v1 r4 (Aave 3.0 logic)", 1, "sparklend-v1-core"),
    ];

    /// <summary>Releases known to exist but not modelled, with the reason given when one is met.</summary>
    private static readonly Dictionary<(string, int), string> Refused = new()
    {
        [(Aave, 11)] = "Aave v3.7 (isolated e-modes, no isolation mode or siloed borrowing, scaled-balance deficit detection, new liquidation rounding) is not modelled",
    };

    /// <summary>The release of <paramref name="codebase"/> at <paramref name="poolRevision"/> (null: <c>POOL_REVISION()</c>
    /// could not be read); otherwise a <see cref="DefiRiskException"/> (exit 3: the chain runs something not modelled).</summary>
    public static AaveV3Release Resolve(string deployment, string codebase, int? poolRevision)
    {
        if (poolRevision is not { } revision)
            throw new DefiRiskException($"aave-v3 {deployment}: POOL_REVISION() could not be read (codebase {codebase}): the rules cannot be chosen", ExitCodes.ChainError);
        foreach (var r in Table)
            if (r.Codebase == codebase && r.PoolRevision == revision) return r;
        if (Refused.TryGetValue((codebase, revision), out var why))
            throw new DefiRiskException($"aave-v3 {deployment}: codebase {codebase} POOL_REVISION {revision}: {why}", ExitCodes.ChainError);
        throw new DefiRiskException(
            $"aave-v3 {deployment}: codebase {codebase} POOL_REVISION {revision} is not in the release table (known: {string.Join(", ", Table.Where(t => t.Codebase == codebase).Select(t => t.PoolRevision))})",
            ExitCodes.ChainError);
    }
}
