// What this project's tests use beyond the shared usings (tests/Shared/GlobalUsings.cs).
global using DefiRisk.Chain.Protocols.AaveV3;
global using DefiRisk.Chain.Protocols.MorphoBlue;
global using DefiRisk.Chain.Venues.UniswapV2;
global using DefiRisk.Reporting.Registry;
global using DefiRisk.Reporting.Document;
global using DefiRisk.Cli.Commands;
