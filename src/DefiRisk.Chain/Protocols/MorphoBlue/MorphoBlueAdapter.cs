using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Contracts;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Protocols.MorphoBlue;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Protocols.MorphoBlue;

/// <summary>
/// Morpho Blue: markets and borrowers from the singleton's logs, then markets (accrued to the block
/// timestamp), oracle prices and positions at one block. Returns Core types only. Its tokens that no earlier
/// family priced are added to the snapshot's assets, priced through a market's oracle from the other side.
/// </summary>
public sealed class MorphoBlueAdapter : LendingAdapter<MorphoBlueDeployment>
{
    public const string Protocol = MorphoBlueBook.Name;

    /// <summary><c>CreateMarket(bytes32,(address,address,address,address,uint256))</c>: topic1 = id.</summary>
    public const string CreateMarketTopic = "0xac4b2400f169220b0c0afdde7a0b32e775ba727ea1cb30b35f935cdaab8683ac";
    /// <summary><c>Borrow(bytes32,address,address,address,uint256,uint256)</c>: topic1 id, topic2 onBehalf (the debtor).</summary>
    public const string BorrowTopic = "0x570954540bed6b1304a87dfe815a5eda4a648f7097a16240dcd85c9b5fd42a43";
    /// <summary><c>SupplyCollateral(bytes32,address,address,uint256)</c>: topic1 id, topic3 onBehalf.</summary>
    public const string SupplyCollateralTopic = "0xa3b9472a1399e17e123f3c2e6586c23e504184d504de59cdaa2b375e880c6184";

    public override string Key => Protocol;

    public override MorphoBlueDeployment Parse(JsonNode section, string source)
    {
        var d = DeploymentSectionJson.Deserialize<MorphoBlueDeployment>(section, Key, source);
        DeploymentSectionJson.RequireAddress(d.Morpho, $"{Key}.morpho", source);
        foreach (var id in d.Markets)
            if (id.Length != 66 || !id.StartsWith("0x", StringComparison.Ordinal) || !id[2..].All(Uri.IsHexDigit))
                throw DeploymentSectionJson.Malformed(source, $"{Key}.markets entry '{id}' is not a bytes32 id");
        return d;
    }

    public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(MorphoBlueDeployment section) =>
        [(section.Morpho, $"{Key}.morpho")];

    public override Task DiscoverAsync(MorphoBlueDeployment d, ILogScanner scanner, long block, CancellationToken ct)
    {
        var morpho = d.Morpho.ToLowerInvariant();
        return scanner.ScanAsync(Protocol, morpho, $"discover {Protocol}", d.StartBlock, block,
            [CreateMarketTopic, BorrowTopic, SupplyCollateralTopic], Extract, ct);

        static IEnumerable<DiscoveredAccount> Extract(LogEntry log)
        {
            var t = log.Topics;
            if (t.Count < 2) yield break;
            var id = t[1].ToLowerInvariant();
            if (t[0] == CreateMarketTopic) yield return new DiscoveredAccount(id, "");
            else if (t[0] == BorrowTopic && t.Count > 2) yield return new DiscoveredAccount(id, LogTopics.Address(t[2]));
            else if (t[0] == SupplyCollateralTopic && t.Count > 3) yield return new DiscoveredAccount(id, LogTopics.Address(t[3]));
        }
    }

    /// <summary>The singleton's markets and positions; then its tokens that no earlier family priced join the assets (listed: those of the manifest's markets).</summary>
    public override async Task<LendingRead> ReadAsync(MorphoBlueDeployment? section, AssetTable assets, IBlockReader reader, CancellationToken ct)
    {
        if (section is null) return new LendingRead(new MorphoBlueBook([]), 0);
        var found = reader.DiscoveredAccounts(Protocol);
        var state = await ReadStateAsync(reader, section, found, ct);
        await AddAssetsAsync(reader, state, assets, ct);
        return new LendingRead(new MorphoBlueBook([state]), found.Count(a => a.Account.Length > 0), Listed(section, state));
    }

    /// <summary>
    /// The tokens of the markets the manifest lists. With no list every market is read, and none of their tokens is
    /// vouched for by the configuration (anyone can create a market with a look-alike token).
    /// </summary>
    private static HashSet<Address> Listed(MorphoBlueDeployment section, MorphoBlueState state)
    {
        var markets = section.Markets.Select(m => m.ToLowerInvariant()).ToHashSet();
        return state.Markets.Where(m => markets.Contains(m.Id)).SelectMany(m => new[] { m.LoanToken, m.CollateralToken }).ToHashSet();
    }

    /// <summary>
    /// Tokens that no earlier family prices: symbol and decimals from the token, and a USD price derived
    /// through the market's oracle from the other side when that side has one (else 0: unpriced). Tokens are
    /// added in address order, so one added here can price a later one.
    /// </summary>
    private static async Task AddAssetsAsync(IBlockReader reader, MorphoBlueState state, AssetTable assets, CancellationToken ct)
    {
        var missing = state.Markets.SelectMany(m => new[] { m.LoanToken, m.CollateralToken }).Distinct().Where(t => !assets.Contains(t)).Order().ToList();
        if (missing.Count == 0) return;
        var batch = new ReadBatch();
        var meta = missing.ToDictionary(t => t, t => Erc20Reads.Add(batch, t.Value));
        await reader.ExecuteAsync(batch, ct);
        foreach (var token in missing)
        {
            BigInteger price = 0;
            foreach (var m in state.Markets.Where(m => m.CollateralToken == token))
                if (assets.TryGet(m.LoanToken, out var loan))
                {
                    price = CollateralUsd8(m, loan.PriceUsd, meta[token].Decimals, loan.Decimals);
                    break;
                }
            assets.TryAdd(new Asset(token, meta[token].Symbol(token), meta[token].Decimals, price, AssetOracle.MarketFeed(Address.Zero)));
        }
    }

    private static async Task<MorphoBlueState> ReadStateAsync(IBlockReader reader, MorphoBlueDeployment d, IReadOnlyList<DiscoveredAccount> discovered,
        CancellationToken ct)
    {
        var (block, timestamp) = (reader.Block, reader.Timestamp);
        var morpho = d.Morpho.ToLowerInvariant();
        var stage = $"read {Protocol}";
        // Markets: the manifest's list when given, else every market CreateMarket logs announced.
        var marketIds = (d.Markets.Count > 0 ? d.Markets.Select(m => m.ToLowerInvariant()) : discovered.Select(a => a.Market))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var wanted = marketIds.ToHashSet();
        var pairs = discovered.Where(a => a.Account.Length > 0 && wanted.Contains(a.Market)).Distinct()
            .OrderBy(a => a.Market, StringComparer.Ordinal).ThenBy(a => a.Account, StringComparer.Ordinal).ToList();
        reader.Report(stage, 0, pairs.Count);

        // Round 1: params and (stored, not accrued) totals per market; every position.
        var batch = new ReadBatch();
        var paramsReads = marketIds.Select(id => batch.Add<IdToMarketParamsFunction, MarketParamsOutput>(morpho, new() { Id = id.HexToByteArray() })).ToList();
        var marketReads = marketIds.Select(id => batch.Add<MarketFunction, MarketOutput>(morpho, new() { Id = id.HexToByteArray() })).ToList();
        var positionReads = pairs.Select(p => batch.Add<PositionFunction, PositionOutput>(morpho, new() { Id = p.Market.HexToByteArray(), User = p.Account })).ToList();
        await reader.ExecuteAsync(batch, ct);

        // Round 2: oracle price, and the IRM's borrow rate for the interest accrual to this block.
        var priceReads = new List<Reply<Uint256Output>>();
        var rateReads = new List<Reply<Uint256Output>?>();
        for (var i = 0; i < marketIds.Count; i++)
        {
            var p = paramsReads[i].Value;
            if (Address.Parse(p.LoanToken).IsZero)
                throw new Core.DefiRiskException($"{Protocol} market {marketIds[i]} does not exist at block {block}", Core.ExitCodes.ChainError);
            var m = marketReads[i].Value;
            priceReads.Add(batch.Add<OraclePriceFunction, Uint256Output>(p.Oracle, new()));
            var needsAccrual = timestamp > (long)m.LastUpdate && !Address.Parse(p.Irm).IsZero;
            rateReads.Add(needsAccrual
                ? batch.Add<BorrowRateViewFunction, Uint256Output>(p.Irm, new()
                {
                    MarketParams = new() { LoanToken = p.LoanToken, CollateralToken = p.CollateralToken, Oracle = p.Oracle, Irm = p.Irm, Lltv = p.Lltv },
                    Market = new()
                    {
                        TotalSupplyAssets = m.TotalSupplyAssets, TotalSupplyShares = m.TotalSupplyShares, TotalBorrowAssets = m.TotalBorrowAssets,
                        TotalBorrowShares = m.TotalBorrowShares, LastUpdate = m.LastUpdate, Fee = m.Fee,
                    },
                })
                : null);
        }
        await reader.ExecuteAsync(batch, ct);

        var markets = new List<MorphoBlueMarket>();
        for (var i = 0; i < marketIds.Count; i++)
        {
            var p = paramsReads[i].Value;
            var m = marketReads[i].Value;
            var stored = new MorphoBlueMarket(marketIds[i], Address.Parse(p.LoanToken), Address.Parse(p.CollateralToken), Address.Parse(p.Oracle),
                Address.Parse(p.Irm), p.Lltv, m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets, m.TotalBorrowShares,
                (long)m.LastUpdate, m.Fee, priceReads[i].Value.Value);
            markets.Add(rateReads[i] is { } rate ? MorphoBlueInterest.Accrue(stored, rate.Value.Value, timestamp) : stored);
        }

        var positions = new List<MorphoBluePosition>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = positionReads[i].Value;
            if (p.SupplyShares.IsZero && p.BorrowShares.IsZero && p.Collateral.IsZero) continue; // closed at this block
            positions.Add(new MorphoBluePosition(pairs[i].Market, Address.Parse(pairs[i].Account), p.SupplyShares, p.BorrowShares, p.Collateral));
        }
        reader.Report(stage, pairs.Count, pairs.Count);
        return new MorphoBlueState(Address.Parse(morpho), markets, positions);
    }

    /// <summary>
    /// USD (8 decimals) of a collateral token priced through a market whose loan token has a USD price:
    /// one collateral unit = price / 1e36 loan units (IOracle scale).
    /// </summary>
    public static BigInteger CollateralUsd8(MorphoBlueMarket market, BigInteger loanUsd8, int collateralDecimals, int loanDecimals) =>
        market.OraclePrice * loanUsd8 * BigInteger.Pow(10, collateralDecimals) / (BigInteger.Pow(10, 36) * BigInteger.Pow(10, loanDecimals));
}
