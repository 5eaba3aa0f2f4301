using DefiRisk.Reporting.Protocols.AaveV3;
using DefiRisk.Reporting.Protocols.MorphoBlue;
using DefiRisk.Reporting.Venues.External;
using DefiRisk.Reporting.Venues.UniswapV2;
using DefiRisk.Reporting.Venues.UniswapV3;

namespace DefiRisk.Reporting.Registry;

/// <summary>The report parts of every protocol family and venue: a new one adds its line here.</summary>
public static class ReportingRegistry
{
    public static ReportParts Parts { get; } = new(
        [new AaveV3ReportPart(), new MorphoBlueReportPart()],
        [new UniswapV2ReportPart(), new UniswapV3ReportPart(), new ExternalMarketReportPart()]);
}
