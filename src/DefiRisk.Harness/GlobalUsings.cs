// The harness deploys and replays the real protocols, so it may name every family and venue.
global using DefiRisk.Chain.Protocols.AaveV3;
global using DefiRisk.Chain.Protocols.MorphoBlue;
global using DefiRisk.Chain.Venues.UniswapV2;
global using DefiRisk.Core.Protocols.AaveV3;
global using DefiRisk.Core.Protocols.MorphoBlue;
global using DefiRisk.Core.Venues.UniswapV2;
