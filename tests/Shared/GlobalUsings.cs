// The protocol families, venues and seams every test project may build snapshots from (compiled into each of them).
global using DefiRisk.Core.Lending;
global using DefiRisk.Core.Protocols;
global using DefiRisk.Core.Protocols.AaveV3;
global using DefiRisk.Core.Protocols.MorphoBlue;
global using DefiRisk.Core.Registry;
global using DefiRisk.Core.Venues;
global using DefiRisk.Core.Venues.UniswapV2;
global using DefiRisk.Tests;
