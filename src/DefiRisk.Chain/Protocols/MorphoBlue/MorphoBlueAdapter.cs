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
        if (d.OnlyListedMarkets && d.Markets.Count == 0)
            throw DeploymentSectionJson.Malformed(source, $"{Key}.onlyListedMarkets is true but {Key}.markets is empty");
        foreach (var (feed, asset) in d.FeedAssets ?? new Dictionary<string, string>())
        {
            DeploymentSectionJson.RequireAddress(feed, $"{Key}.feedAssets key", source);
            DeploymentSectionJson.RequireAddress(asset, $"{Key}.feedAssets.{feed}", source);
        }
        if (d.MinBorrowUsd is < 0)
            throw DeploymentSectionJson.Malformed(source, $"{Key}.minBorrowUsd must not be negative");
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

    /// <summary>
    /// The singleton's markets and positions; then its tokens that no earlier family priced join the assets (listed: those of
    /// the manifest's markets). Idle markets and markets whose oracle reverts or answers 0 are left out with their positions,
    /// each with a named <see cref="IndexWarning"/>; so are markets under the section's <c>minBorrowUsd</c>.
    /// </summary>
    public override async Task<LendingRead> ReadAsync(MorphoBlueDeployment? section, AssetTable assets, IBlockReader reader, CancellationToken ct)
    {
        if (section is null) return new LendingRead(new MorphoBlueBook([]), 0);
        var found = reader.DiscoveredAccounts(Protocol);
        var warnings = new List<IndexWarning>();
        var (state, getters) = await ReadStateAsync(reader, section, found, assets, warnings, ct);
        // Oracle composition: the feeds each market's price() really uses, and the assets they follow (the Aave-priced ones).
        var parts = await MorphoOracleReader.ReadAsync(reader, state.Markets.Select(m => m.Oracle).Distinct().ToList(), assets, section.FeedAssets, getters, ct);
        state = state with { Markets = state.Markets.Select(m => parts.TryGetValue(m.Oracle, out var o) ? m with { OracleParts = o } : m).ToList() };
        var added = await PriceTokensAsync(reader, state, assets, ct);
        if (section.MinBorrowUsd is { } minimum) state = BelowMinimum(state, minimum, assets, added, warnings);
        foreach (var token in state.Markets.SelectMany(m => new[] { m.LoanToken, m.CollateralToken }).Distinct().Order())
            if (added.TryGetValue(token, out var asset)) assets.TryAdd(asset);
        return new LendingRead(new MorphoBlueBook([state]), found.Count(a => a.Account.Length > 0), Listed(section, state), warnings);
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
    /// priced in address order, so one priced here can price a later one. Returned, not yet added: a filter may drop their markets.
    /// </summary>
    private static async Task<Dictionary<Address, Asset>> PriceTokensAsync(IBlockReader reader, MorphoBlueState state, AssetTable assets, CancellationToken ct)
    {
        var added = new Dictionary<Address, Asset>();
        var missing = state.Markets.SelectMany(m => new[] { m.LoanToken, m.CollateralToken }).Distinct().Where(t => !assets.Contains(t)).Order().ToList();
        if (missing.Count == 0) return added;
        var batch = new ReadBatch();
        var meta = missing.ToDictionary(t => t, t => Erc20Reads.Add(batch, t.Value));
        await reader.ExecuteAsync(batch, ct);
        foreach (var token in missing)
        {
            BigInteger price = 0;
            var oracle = AssetOracle.MarketFeed(Address.Zero);
            foreach (var m in state.Markets.Where(m => m.CollateralToken == token))
                if (assets.TryGet(m.LoanToken, out var loan) || added.TryGetValue(m.LoanToken, out loan))
                {
                    price = CollateralUsd8(m, loan.PriceUsd, meta[token].Decimals, loan.Decimals);
                    // Priced by its feeds: when the oracle's base feeds follow one asset (and the quote side is the loan token's),
                    // the token moves with that asset in a shock, its vault rate holding (an exchange-rate oracle, ratio unknown).
                    if (MorphoBlueOracle.Composed(m) is { } parts)
                    {
                        var moves = parts.Moves().ToList();
                        var bases = moves.Where(x => x.Sign > 0).Select(x => x.Asset).Distinct().ToList();
                        if (bases.Count == 1 && moves.Where(x => x.Sign < 0).All(x => x.Asset == m.LoanToken) && bases[0] != token)
                            oracle = new AssetOracle(OracleKind.ExchangeRate, m.Oracle, bases[0]);
                    }
                    break;
                }
            // A token seen only as a loan: priced from the collateral side through the same oracle (before: $0, so its loans were never liquidated).
            if (price.IsZero)
                foreach (var m in state.Markets.Where(m => m.LoanToken == token && !m.OraclePrice.IsZero))
                    if ((assets.TryGet(m.CollateralToken, out var coll) || added.TryGetValue(m.CollateralToken, out coll)) && !coll.PriceUsd.IsZero)
                    {
                        price = LoanUsd8(m, coll.PriceUsd, coll.Decimals, meta[token].Decimals);
                        break;
                    }
            added[token] = new Asset(token, meta[token].Symbol(token), meta[token].Decimals, price, oracle);
        }
        return added;
    }

    /// <summary>The state without markets whose total borrow is worth less than <paramref name="minimumUsd"/> (one warning counts them).</summary>
    private static MorphoBlueState BelowMinimum(MorphoBlueState state, decimal minimumUsd, AssetTable assets, Dictionary<Address, Asset> added,
        List<IndexWarning> warnings)
    {
        var minimum8 = new BigInteger(decimal.Floor(minimumUsd * 100_000_000m));
        var small = state.Markets.Where(m =>
        {
            var loan = assets.TryGet(m.LoanToken, out var a) ? a : added.GetValueOrDefault(m.LoanToken);
            var usd8 = loan is null ? BigInteger.Zero : m.TotalBorrowAssets * loan.PriceUsd / BigInteger.Pow(10, loan.Decimals);
            return usd8 < minimum8;
        }).Select(m => m.Id).ToHashSet();
        if (small.Count == 0) return state;
        var dropped = state.Positions.Count(p => small.Contains(p.MarketId));
        warnings.Add(new IndexWarning(Protocol, "below-min-borrow", $"{small.Count} markets",
            $"{small.Count} markets borrowing less than minBorrowUsd {minimumUsd.ToString(System.Globalization.CultureInfo.InvariantCulture)} skipped with {dropped} positions",
            dropped));
        return state with
        {
            Markets = state.Markets.Where(m => !small.Contains(m.Id)).ToList(),
            Positions = state.Positions.Where(p => !small.Contains(p.MarketId)).ToList(),
        };
    }

    private static async Task<(MorphoBlueState State, MorphoOracleReader.Getters Getters)> ReadStateAsync(IBlockReader reader, MorphoBlueDeployment d, IReadOnlyList<DiscoveredAccount> discovered,
        AssetTable assets, List<IndexWarning> warnings, CancellationToken ct)
    {
        var (block, timestamp) = (reader.Block, reader.Timestamp);
        var morpho = d.Morpho.ToLowerInvariant();
        var stage = $"read {Protocol}";
        var listed = d.Markets.Select(m => m.ToLowerInvariant()).ToHashSet();
        // Markets: every market CreateMarket logs announced and every listed one; with onlyListedMarkets, the listed ones.
        var marketIds = (d.OnlyListedMarkets ? listed : listed.Concat(discovered.Select(a => a.Market)))
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
        var positionsOf = new Dictionary<string, List<(DiscoveredAccount Pair, PositionOutput Position)>>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = positionReads[i].Value;
            if (p.SupplyShares.IsZero && p.BorrowShares.IsZero && p.Collateral.IsZero) continue; // closed at this block
            if (!positionsOf.TryGetValue(pairs[i].Market, out var list)) positionsOf[pairs[i].Market] = list = [];
            list.Add((pairs[i], p));
        }

        // Round 2, markets that can price: oracle price, and the IRM's borrow rate for the interest accrual to this block; and
        // the oracles' identifying getters (MorphoOracleReader), which need only the oracle's address.
        // An idle market (no collateral, oracle or IRM: Morpho's supply-only markets) has no price to read.
        var live = new List<int>();
        var skipped = new List<(int I, string Kind, string Why)>();
        var priceReads = new Dictionary<int, Reply<Uint256Output>>();
        var rateReads = new Dictionary<int, Reply<Uint256Output>>();
        for (var i = 0; i < marketIds.Count; i++)
        {
            var p = paramsReads[i].Value;
            var m = marketReads[i].Value;
            if (Address.Parse(p.LoanToken).IsZero && m.LastUpdate.IsZero && listed.Contains(marketIds[i]))
                throw new Core.DefiRiskException($"{Protocol} market {marketIds[i]} does not exist at block {block}", Core.ExitCodes.ChainError);
            if (new[] { p.LoanToken, p.CollateralToken, p.Oracle, p.Irm }.Any(a => Address.Parse(a).IsZero))
            {
                Skip(i, "idle-market", $"idle (loan {Short(p.LoanToken)}, collateral {Short(p.CollateralToken)}, oracle {Short(p.Oracle)}, IRM {Short(p.Irm)}): nothing to liquidate or price");
                continue;
            }
            live.Add(i);
            priceReads[i] = batch.Add<OraclePriceFunction, Uint256Output>(p.Oracle, new());
            if (timestamp > (long)m.LastUpdate)
                rateReads[i] = batch.Add<BorrowRateViewFunction, Uint256Output>(p.Irm, new()
                {
                    MarketParams = new() { LoanToken = p.LoanToken, CollateralToken = p.CollateralToken, Oracle = p.Oracle, Irm = p.Irm, Lltv = p.Lltv },
                    Market = new()
                    {
                        TotalSupplyAssets = m.TotalSupplyAssets, TotalSupplyShares = m.TotalSupplyShares, TotalBorrowAssets = m.TotalBorrowAssets,
                        TotalBorrowShares = m.TotalBorrowShares, LastUpdate = m.LastUpdate, Fee = m.Fee,
                    },
                });
        }
        var getters = MorphoOracleReader.AddGetters(batch, live.Select(i => Address.Parse(paramsReads[i].Value.Oracle)));
        await reader.ExecuteAsync(batch, ct);

        var markets = new List<MorphoBlueMarket>();
        var positions = new List<MorphoBluePosition>();
        foreach (var i in live)
        {
            var p = paramsReads[i].Value;
            var m = marketReads[i].Value;
            var price = priceReads[i];
            // Morpho's own calls would revert here too (liquidate, borrow, withdrawCollateral): the market cannot be modelled.
            if (!price.Ok)
            {
                Skip(i, "oracle-reverted", $"oracle {p.Oracle.ToLowerInvariant()} price() failed: {price.Error}");
                continue;
            }
            if (price.Value.Value.IsZero)
            {
                Skip(i, "oracle-zero-price", $"oracle {p.Oracle.ToLowerInvariant()} price() is 0 (liquidate would divide by it)");
                continue;
            }
            var stored = new MorphoBlueMarket(marketIds[i], Address.Parse(p.LoanToken), Address.Parse(p.CollateralToken), Address.Parse(p.Oracle),
                Address.Parse(p.Irm), p.Lltv, m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets, m.TotalBorrowShares,
                (long)m.LastUpdate, m.Fee, price.Value.Value);
            markets.Add(rateReads.TryGetValue(i, out var rate) ? MorphoBlueInterest.Accrue(stored, rate.Value.Value, timestamp) : stored);
            foreach (var (pair, position) in positionsOf.GetValueOrDefault(marketIds[i]) ?? [])
                positions.Add(new MorphoBluePosition(pair.Market, Address.Parse(pair.Account), position.SupplyShares, position.BorrowShares, position.Collateral));
        }
        reader.Report(stage, pairs.Count, pairs.Count);
        // The warnings name the loan token by an earlier family's symbol: written once those families are read (Indexer.ReadLendingAsync).
        await assets.EarlierFamiliesReadAsync();
        foreach (var (i, kind, why) in skipped) Warn(i, kind, why);
        return (new MorphoBlueState(Address.Parse(morpho), markets, positions), getters);

        void Skip(int i, string kind, string why) => skipped.Add((i, kind, why));

        // A skipped market's warning counts its open positions and what they borrowed (stored totals, not accrued).
        void Warn(int i, string kind, string why)
        {
            var p = paramsReads[i].Value;
            var m = marketReads[i].Value;
            var held = positionsOf.GetValueOrDefault(marketIds[i]) ?? [];
            var borrowed = held.Aggregate(BigInteger.Zero, (sum, h) => sum + MorphoBlueMath.ToAssetsUp(h.Position.BorrowShares, m.TotalBorrowAssets, m.TotalBorrowShares));
            var loan = Address.Parse(p.LoanToken);
            var debt = borrowed.IsZero ? "no debt"
                : assets.TryGet(loan, out var a) ? $"borrowing {borrowed} base units of {a.Symbol} (${(double)(borrowed * a.PriceUsd) / Math.Pow(10, a.Decimals + 8):N2})"
                : $"borrowing {borrowed} base units of {loan}";
            warnings.Add(new IndexWarning(Protocol, kind, marketIds[i], $"market {marketIds[i]} skipped: {why}; {held.Count} positions left out, {debt}", held.Count));
        }

        static string Short(string address) => Address.Parse(address).IsZero ? "0x0" : address.ToLowerInvariant();
    }

    /// <summary>USD (8 decimals) of a loan token priced through a market whose collateral has a USD price: one loan unit = 1e36 / price collateral units.</summary>
    public static BigInteger LoanUsd8(MorphoBlueMarket market, BigInteger collateralUsd8, int collateralDecimals, int loanDecimals) =>
        collateralUsd8 * BigInteger.Pow(10, 36) * BigInteger.Pow(10, loanDecimals) / (market.OraclePrice * BigInteger.Pow(10, collateralDecimals));

    /// <summary>
    /// USD (8 decimals) of a collateral token priced through a market whose loan token has a USD price:
    /// one collateral unit = price / 1e36 loan units (IOracle scale).
    /// </summary>
    public static BigInteger CollateralUsd8(MorphoBlueMarket market, BigInteger loanUsd8, int collateralDecimals, int loanDecimals) =>
        market.OraclePrice * loanUsd8 * BigInteger.Pow(10, collateralDecimals) / (BigInteger.Pow(10, 36) * BigInteger.Pow(10, loanDecimals));
}
