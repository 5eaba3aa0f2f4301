namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// <c>POOL_REVISION()</c> values at which liquidation-relevant behaviour changed
/// (aave-v3-origin <c>src/contracts/instances/PoolInstance.sol</c> per tag; v3.0.x ships 1–3).
/// </summary>
public static class AaveV3Revision
{
    /// <summary>v3.1.0: liquidation grace period per reserve; virtual accounting.</summary>
    public const int V3_1 = 4;
    /// <summary>v3.2.0: e-mode categories by collateral bitmap, no e-mode price source; setEModeCategory stops comparing with reserves.</summary>
    public const int V3_2 = 5;
    /// <summary>v3.3.0: close factor against the whole position, 2000e8/1000e8 dust rules, bad-debt deficit.</summary>
    public const int V3_3 = 7;
    /// <summary>v3.4.0: self-liquidation forbidden.</summary>
    public const int V3_4 = 8;
    /// <summary>v3.5.0: exact HF weighting; collateral rounds down, debt rounds up.</summary>
    public const int V3_5 = 9;
    /// <summary>v3.6.0: every collateral-flagged reserve counts (base LT 0 included, e.g. collateral only in an e-mode) and can be seized.</summary>
    public const int V3_6 = 10;
}
