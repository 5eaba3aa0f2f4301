using System.Numerics;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Moves a fixture's prices the way the harness needs: storage writes (<c>anvil_setStorageAt</c>, no
/// tx, no event, visible at once) to the MockAggregator answer (slot 0, USD with 8 decimals), the
/// wstETH exchange ratio (slot 0 of ExchangeRateAggregator, wad) and the Morpho OracleMock prices (slot 0),
/// which are re-derived from the USD prices after every move so Aave and Morpho always agree.
/// Mine a block afterwards if a reader pins the block number. A storage write edits the state of the
/// current head block in place (anvil 1.7.1 keeps no copy): a reader pinned to that block, or a fork of
/// it, sees the new price too. To change a price strictly after a block, send transactions instead
/// (a new feed via <c>AaveOracle.setAssetSources</c>, <c>OracleMock.setPrice</c>), as ForkParityTests does.
/// </summary>
public sealed class FixturePrices(
    AnvilNode node,
    IReadOnlyDictionary<string, FixtureToken> tokens,
    IReadOnlyDictionary<string, string> priceFeeds,
    FixtureExchangeRate exchangeRate,
    IReadOnlyList<FixtureMorphoMarket> morphoMarkets)
{
    public FixturePrices(AnvilNode node, FixtureFacts facts)
        : this(node, facts.Tokens, facts.PriceFeeds, facts.ExchangeRateAggregator, facts.MorphoMarkets)
    {
    }

    /// <summary>AaveOracle-style USD price, 8 decimals, read from the asset's feed (<c>latestAnswer()</c>).</summary>
    public async Task<BigInteger> GetUsdPriceAsync(string symbol)
    {
        var feed = Feed(symbol);
        var result = (await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = feed, ["data"] = Abi.Call("latestAnswer()") }, "latest").ConfigureAwait(false)).GetString()!;
        return Abi.IntAt(result, 0);
    }

    /// <summary>Sets a market-feed asset's USD price (8 decimals). wstETH follows WETH × ratio: move those instead.</summary>
    public async Task SetUsdPriceAsync(string symbol, BigInteger usd8)
    {
        if (symbol == exchangeRate.Asset)
            throw new DefiRiskException($"{symbol} is priced by an exchange-rate oracle: set {exchangeRate.BaseAsset} or the ratio");
        if (usd8.Sign <= 0) throw new DefiRiskException($"price of {symbol} must be positive");
        await node.SetStorageAtAsync(Feed(symbol), 0, usd8).ConfigureAwait(false);
        await SyncMorphoOraclesAsync().ConfigureAwait(false);
    }

    /// <summary>Multiplies a market-feed asset's price by <paramref name="factor"/> (e.g. 0.7 for a 30 % drop), rounding down.</summary>
    public async Task ScaleUsdPriceAsync(string symbol, decimal factor)
    {
        var now = await GetUsdPriceAsync(symbol).ConfigureAwait(false);
        await SetUsdPriceAsync(symbol, new BigInteger(decimal.Floor((decimal)now * factor))).ConfigureAwait(false);
    }

    /// <summary>Sets the stETH-per-wstETH ratio (wad).</summary>
    public async Task SetExchangeRatioAsync(BigInteger ratioWad)
    {
        if (ratioWad.Sign <= 0) throw new DefiRiskException("exchange ratio must be positive");
        await node.SetStorageAtAsync(exchangeRate.Address, 0, ratioWad).ConfigureAwait(false);
        await SyncMorphoOraclesAsync().ConfigureAwait(false);
    }

    /// <summary>Rewrites every Morpho OracleMock from the current USD prices.</summary>
    public async Task SyncMorphoOraclesAsync()
    {
        var usd = new Dictionary<string, BigInteger>();
        foreach (var symbol in tokens.Keys) usd[symbol] = await GetUsdPriceAsync(symbol).ConfigureAwait(false);
        foreach (var m in morphoMarkets)
        {
            var price = MorphoOraclePrice(usd[m.CollateralSymbol], tokens[m.CollateralSymbol].Decimals, usd[m.LoanSymbol], tokens[m.LoanSymbol].Decimals);
            await node.SetStorageAtAsync(m.Oracle, 0, price).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Morpho's oracle unit (IOracle.price, LOCAL-CHAIN §3): the value of one base unit of collateral in base
    /// units of the loan token, × 1e36 — usdColl/usdLoan × 10^(36 + loanDecimals − collateralDecimals), rounded down.
    /// </summary>
    public static BigInteger MorphoOraclePrice(BigInteger collateralUsd8, int collateralDecimals, BigInteger loanUsd8, int loanDecimals) =>
        collateralUsd8 * BigInteger.Pow(10, 36 + loanDecimals - collateralDecimals) / loanUsd8;

    private string Feed(string symbol) =>
        priceFeeds.TryGetValue(symbol, out var f) ? f : throw new DefiRiskException($"fixture has no price feed for '{symbol}'");
}
