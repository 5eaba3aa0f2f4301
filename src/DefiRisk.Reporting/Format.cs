using System.Globalization;
using System.Numerics;

namespace DefiRisk.Reporting.Document;

/// <summary>
/// Number formatting for reports: invariant culture always (a report must read the same on every machine), USD with
/// thousands separators. These return plain text; callers still escape when they embed it.
/// </summary>
public static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>$1,234,567 (whole dollars from $100 up), $12.34 below, $0 for nothing.</summary>
    public static string Usd(double usd)
    {
        if (double.IsNaN(usd) || double.IsInfinity(usd)) return "n/a";
        if (usd == 0) return "$0";
        var sign = usd < 0 ? "-" : "";
        var a = Math.Abs(usd);
        return sign + "$" + (a >= 100 ? a.ToString("#,##0", Inv) : a.ToString("0.00", Inv));
    }

    /// <summary>A difference: +$1,234 / -$1,234 / $0.</summary>
    public static string UsdDelta(double usd) => usd > 0 ? "+" + Usd(usd) : Usd(usd);

    /// <summary>A USD price with 8 decimals (oracle unit): 2 decimals from $10 up, 4 below.</summary>
    public static string PriceUsd8(BigInteger price)
    {
        var v = (double)price / 1e8;
        return "$" + (Math.Abs(v) >= 10 ? v.ToString("#,##0.00", Inv) : v.ToString("#,##0.0000", Inv));
    }

    /// <summary>USD 8 decimals → double dollars (lossy; for charts and sums in reports only).</summary>
    public static double Usd8ToDouble(BigInteger price) => (double)price / 1e8;

    /// <summary>Base units → whole tokens, lossy, for display.</summary>
    public static double Tokens(BigInteger amount, int decimals) => (double)amount / Math.Pow(10, decimals);

    /// <summary>A fraction as a percent: -0.3 → "-30%", 0.055 → "5.5%".</summary>
    public static string Percent(decimal fraction) => (fraction * 100m).ToString("0.##", Inv) + "%";

    public static string Percent(double fraction) =>
        double.IsNaN(fraction) || double.IsInfinity(fraction) ? "n/a" : (fraction * 100).ToString("0.##", Inv) + "%";

    /// <summary>A signed percent change: +12.5% / -3%.</summary>
    public static string PercentDelta(double fraction) => fraction > 0 ? "+" + Percent(fraction) : Percent(fraction);

    /// <summary>A wad health factor with 4 decimals; "∞" for uint256.max (no debt).</summary>
    public static string HealthFactor(BigInteger wad) =>
        wad.GetBitLength() > 200 ? "∞" : ((double)wad / 1e18).ToString("0.0000", Inv);

    public static string Int(long n) => n.ToString("#,##0", Inv);

    /// <summary>A bps value as a percent: 8250 → "82.5%".</summary>
    public static string Bps(int bps) => (bps / 100m).ToString("0.##", Inv) + "%";

    /// <summary>A wad fraction as a percent: 0.86e18 → "86%".</summary>
    public static string WadPercent(BigInteger wad) => ((decimal)(double)wad / 1e16m).ToString("0.##", Inv) + "%";

    /// <summary>A UNIX timestamp as UTC ISO 8601 (the block's time, not the clock's: reports are reproducible).</summary>
    public static string Timestamp(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv);

    /// <summary>0x1234…abcd: long hex ids shortened for tables (the full value stays in JSON output).</summary>
    public static string ShortHex(string hex) => hex.Length <= 14 ? hex : hex[..8] + "…" + hex[^4..];

    /// <summary>Base units as whole tokens with up to 4 decimals ("1,234.5678"); the raw integer when the asset is unknown.</summary>
    public static string TokenAmount(BigInteger amount, DefiRisk.Core.Domain.Asset? asset) =>
        asset is null ? amount.ToString(Inv)
            : Tokens(amount, asset.Decimals).ToString("#,##0.####", Inv);

    /// <summary>Base units × the asset's USD 8-decimal oracle price → dollars (lossy, display only).</summary>
    public static double UsdValue(BigInteger amount, DefiRisk.Core.Domain.Asset asset) => UsdValue(amount, asset.Decimals, asset.PriceUsd);

    public static double UsdValue(BigInteger amount, int decimals, BigInteger priceUsd8) =>
        (double)amount * (double)priceUsd8 / 1e8 / Math.Pow(10, decimals);
}
