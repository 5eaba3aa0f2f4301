using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Contracts;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Chain.Protocols.AaveV3;

/// <summary>
/// Aave v3: borrower discovery from the Pool's <c>Borrow</c> logs, and the state of each pool at one block
/// (reserves, risk parameters, e-mode categories, oracle prices and sources, every borrower's balances),
/// read in a few rounds of batched eth_calls. Returns Core types only. Its pools' reserves are the snapshot's
/// first-priced assets (the first pool's oracle wins for an asset several pools list).
/// </summary>
/// <param name="accountsPerRound">Most accounts read per round (user configuration and e-mode, then balances); default: no limit
/// but <paramref name="charsPerRound"/>. Tests set it small to read a small book in many rounds.</param>
/// <param name="charsPerRound">Request body a round's reads fill (packed, <see cref="ReadBatch.PackedChars"/>): a round closes at the
/// account that reaches it. Bounds the replies held at once on a large book (issue 13 item 6) and makes each round whole requests
/// (default <see cref="DefaultCharsPerRound"/>), where rounds of a fixed account count ended on a part-filled request each.</param>
public sealed class AaveV3Adapter(int accountsPerRound = int.MaxValue, long charsPerRound = AaveV3Adapter.DefaultCharsPerRound) : LendingAdapter<AaveV3Section>
{
    public const string Protocol = AaveV3Book.Name;

    private readonly int _accountsPerRound = accountsPerRound >= 1 ? accountsPerRound
        : throw new ArgumentOutOfRangeException(nameof(accountsPerRound), accountsPerRound, "at least one account per round");

    private readonly long _charsPerRound = charsPerRound >= 1 ? charsPerRound
        : throw new ArgumentOutOfRangeException(nameof(charsPerRound), charsPerRound, "a round takes at least one character");

    /// <summary><c>Borrow(address,address,address,uint256,uint8,uint256,uint16)</c>; topic2 = onBehalfOf, the debtor.</summary>
    public const string BorrowTopic = "0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0";

    public override string Key => Protocol;

    /// <summary>"aave-v3" is one pool (an object) or a list of pools.</summary>
    public override AaveV3Section Parse(JsonNode section, string source)
    {
        var pools = section switch
        {
            JsonArray => DeploymentSectionJson.Deserialize<List<AaveV3Deployment>>(section, Key, source),
            JsonObject => [DeploymentSectionJson.Deserialize<AaveV3Deployment>(section, Key, source)],
            _ => throw DeploymentSectionJson.Malformed(source, $"{Key} must be an object or a list of objects"),
        };
        foreach (var a in pools)
        {
            DeploymentSectionJson.RequireAddress(a.Pool, $"{Key}.pool", source);
            DeploymentSectionJson.RequireAddress(a.Oracle, $"{Key}.oracle", source);
            DeploymentSectionJson.RequireAddress(a.DataProvider, $"{Key}.dataProvider", source);
            if (a.GovernanceExecutor is { } executor) DeploymentSectionJson.RequireAddress(executor, $"{Key}.governanceExecutor", source);
            if (a.Codebase is { } codebase && !AaveV3Releases.Codebases.Contains(codebase))
                throw DeploymentSectionJson.Malformed(source, $"{Key}.codebase '{codebase}' is not one of: {string.Join(", ", AaveV3Releases.Codebases)}");
        }
        return new AaveV3Section(pools);
    }

    /// <summary>
    /// The pool, its oracle and (when given) its addresses provider. The data provider is only recorded, not read, and
    /// mainnet has replaced it several times, so requiring today's one at an old fork block would refuse a valid fork.
    /// </summary>
    public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(AaveV3Section section)
    {
        foreach (var a in section.Pools)
        {
            yield return (a.Pool, $"{Key}.pool");
            yield return (a.Oracle, $"{Key}.oracle");
            if (a.PoolAddressesProvider is { } p) yield return (p, $"{Key}.poolAddressesProvider");
        }
    }

    public override async Task DiscoverAsync(AaveV3Section section, ILogScanner scanner, long block, CancellationToken ct)
    {
        foreach (var d in section.Pools)
        {
            var pool = d.Pool.ToLowerInvariant();
            await scanner.ScanAsync(Protocol, pool, $"discover {Protocol} {d.Name}", d.StartBlock, block, [BorrowTopic],
                log => log.Topics.Count > 2 && log.Topics[0] == BorrowTopic
                    ? [new DiscoveredAccount(pool, LogTopics.Address(log.Topics[2]))]
                    : [], ct);
        }
    }

    /// <summary>Every pool in pool-address order; each adds its reserves to <paramref name="assets"/> (first pool wins), all of them listed.</summary>
    public override async Task<LendingRead> ReadAsync(AaveV3Section? section, AssetTable assets, IBlockReader reader, CancellationToken ct)
    {
        var accounts = reader.DiscoveredAccounts(Protocol);
        var states = new List<AaveV3MarketState>();
        var listed = new HashSet<Address>();
        var warnings = new List<IndexWarning>();
        foreach (var d in (section?.Pools ?? []).OrderBy(a => a.Pool.ToLowerInvariant(), StringComparer.Ordinal))
        {
            var pool = d.Pool.ToLowerInvariant();
            var users = accounts.Where(a => a.Market == pool).Select(a => a.Account).ToList();
            var (state, poolAssets) = await ReadPoolAsync(reader, d, users, warnings, new RoundSize(_accountsPerRound, _charsPerRound), ct);
            states.Add(state);
            await assets.EarlierFamiliesReadAsync();
            foreach (var a in poolAssets) assets.TryAdd(a);
            listed.UnionWith(state.Market.Reserves.Select(r => r.Asset)); // every reserve of a configured pool is listed
        }
        return new LendingRead(new AaveV3Book(states), accounts.Count, listed, warnings);
    }

    private static async Task<(AaveV3MarketState State, List<Asset> Assets)> ReadPoolAsync(
        IBlockReader reader, AaveV3Deployment d, IReadOnlyList<string> accounts, List<IndexWarning> warnings, RoundSize perRound, CancellationToken ct)
    {
        var stage = $"read {Protocol} {d.Name}";
        var pool = d.Pool.ToLowerInvariant();
        var oracle = d.Oracle.ToLowerInvariant();
        reader.Report(stage, 0, accounts.Count);

        // Round 1: the pool's revision and reserve list, the oracle's unit, the flash-loan premium (what a liquidator without
        // capital pays to borrow the repayment; a pool that does not answer it keeps the stated default, see AaveV3FlashLoans).
        var batch = new ReadBatch();
        var revision = batch.Add<PoolRevisionFunction, Uint256Output>(pool, new());
        var premium = batch.Add<FlashLoanPremiumTotalFunction, Uint256Output>(pool, new());
        var list = batch.Add<GetReservesListFunction, AddressArrayOutput>(pool, new());
        var unit = batch.Add<BaseCurrencyUnitFunction, Uint256Output>(oracle, new());
        await reader.ExecuteAsync(batch, ct);
        // POOL_REVISION is a public constant of every v3 implementation. With the deployment's codebase it names the release
        // (AaveV3Releases.Table); an unreadable revision or an unknown pair fails here, naming both, instead of guessing rules.
        var release = AaveV3Releases.Resolve($"{d.Name} ({d.Pool})", d.EffectiveCodebase,
            revision.Ok && revision.Value.Value <= int.MaxValue ? (int)revision.Value.Value : revision.Ok ? -1 : null);
        var assets = list.Value.Value.Select(a => a.ToLowerInvariant()).ToList();
        var baseUnit = unit.Value.Value;

        // Round 2: per reserve, its data, token metadata and oracle source; all prices in one call;
        // per account, its user configuration and e-mode.
        var data = assets.Select(a => batch.Add<GetReserveDataFunction, ReserveDataOutput>(pool, new() { Asset = a })).ToList();
        // Indexes normalized to the pinned block's timestamp (the stored ones date from the reserve's last update): what
        // balanceOf used for the balances read below, and what a liquidation in this block burns scaled amounts with.
        var income = assets.Select(a => batch.Add<GetReserveNormalizedIncomeFunction, Uint256Output>(pool, new() { Asset = a })).ToList();
        var debtIndex = assets.Select(a => batch.Add<GetReserveNormalizedVariableDebtFunction, Uint256Output>(pool, new() { Asset = a })).ToList();
        var meta = assets.Select(a => Erc20Reads.Add(batch, a)).ToList();
        var sources = assets.Select(a => batch.Add<GetSourceOfAssetFunction, AddressOutput>(oracle, new() { Asset = a })).ToList();
        var prices = batch.Add<GetAssetsPricesFunction, Uint256ArrayOutput>(oracle, new() { Assets = assets });
        // Accounts in rounds of perRound: the first rides with the reserve reads, so a book up to that size reads in
        // the same requests as before; a larger one holds one round's replies at a time, not 100,000 accounts' (issue 13 item 6).
        var configBits = new BigInteger[accounts.Count];
        var eModeOf = new int[accounts.Count];
        var userReads = AddUserReads(batch, pool, accounts, 0, perRound);
        var next = userReads.Count;
        // 3.3+ bad debt booked per reserve; 3.1+ liquidation grace period per reserve.
        var deficits = release.HasDeficit ? assets.Select(a => batch.Add<GetReserveDeficitFunction, Uint256Output>(pool, new() { Asset = a })).ToList() : null;
        var graces = release.HasGracePeriod ? assets.Select(a => batch.Add<GetLiquidationGracePeriodFunction, Uint256Output>(pool, new() { Asset = a })).ToList() : null;
        // 3.1+ virtual accounting: the cash a withdrawal of the underlying (a liquidation with receiveAToken = false) can take.
        var cash = release.HasVirtualAccounting ? assets.Select(a => batch.Add<GetVirtualUnderlyingBalanceFunction, Uint256Output>(pool, new() { Asset = a })).ToList() : null;
        await reader.ExecuteAsync(batch, ct);
        TakeUserReads(userReads, 0, configBits, eModeOf);
        while (next < accounts.Count)
        {
            var more = AddUserReads(batch, pool, accounts, next, perRound);
            await reader.ExecuteAsync(batch, ct);
            TakeUserReads(more, next, configBits, eModeOf);
            next += more.Count;
            reader.Report(stage, 0, accounts.Count, $"user configurations {next}");
        }

        // One reserve priced ≤ 0 makes getAssetsPrices revert (AaveOracle falls back, and the fallback reverts or is unset):
        // then each price alone, and a reserve whose price call fails or answers 0 is skipped with every account holding it.
        var price = prices.Ok ? prices.Value.Value : null;
        if (price is null)
        {
            var single = assets.Select(a => batch.Add<GetAssetPriceFunction, Uint256Output>(oracle, new() { Asset = a })).ToList();
            await reader.ExecuteAsync(batch, ct);
            price = single.Select(r => r.Ok ? r.Value.Value : BigInteger.Zero).ToList();
        }
        var unpriced = Enumerable.Range(0, assets.Count).Where(i => price[i].Sign <= 0).ToHashSet();

        var reserves = new List<AaveV3Reserve>();
        for (var i = 0; i < assets.Count; i++)
        {
            var r = data[i].Value;
            var config = ReserveConfiguration.Decode(r.Configuration);
            reserves.Add(new AaveV3Reserve(
                Address.Parse(assets[i]), r.Id, config.Decimals, config.Ltv, config.LiquidationThreshold, config.LiquidationBonus,
                config.LiquidationProtocolFee, config.ReserveFactor, config.Active, config.Frozen, config.Paused, config.BorrowingEnabled,
                config.EModeCategory, config.BorrowCap, config.SupplyCap, income[i].Value.Value, debtIndex[i].Value.Value, price[i],
                Address.Parse(r.ATokenAddress), Address.Parse(r.VariableDebtTokenAddress),
                release.HasStableDebt ? Address.Parse(r.StableDebtTokenAddress) : Address.Zero,
                deficits?[i].Value.Value ?? BigInteger.Zero,
                graces is null ? 0 : (long)graces[i].Value.Value,
                cash?[i].Value.Value, config.DebtCeiling, r.IsolationModeTotalDebt, config.FlashLoanEnabled));
        }

        // Round 3: oracle kind per source (the CAPO exchange-rate surface), e-mode categories, balances.
        var distinctSources = sources.Select(s => s.Value.Value.ToLowerInvariant()).Distinct().Where(s => !Address.Parse(s).IsZero).ToList();
        var ratio = distinctSources.ToDictionary(s => s, s => (
            Ratio: batch.Add<GetRatioFunction, Int256Output>(s, new()),
            Base: batch.Add<BaseToUsdAggregatorFunction, AddressOutput>(s, new()),
            Decimals: batch.Add<RatioDecimalsFunction, Uint8Output>(s, new())));

        // The categories in use: the accounts' e-modes, and (≤ 3.1, where they are maintained) the reserves' configuration bits.
        var eModeIds = (release.HasEModeBitmaps ? [] : reserves.Select(r => r.EModeCategory))
            .Concat(eModeOf)
            .Where(id => id is > 0 and < 256).Distinct().Order().ToList();
        // One surface per release. 3.2+ still answers the legacy getEModeCategoryData (LT and bonus, no members), so asking
        // it first and taking members from configuration bits that 3.2 no longer writes would empty every category.
        var eModeLegacy = release.HasEModeBitmaps ? [] : eModeIds.ToDictionary(id => id, id => batch.Add<GetEModeCategoryDataFunction, EModeCategoryDataOutput>(pool, new() { Id = (byte)id }));
        var eModeBitmaps = !release.HasEModeBitmaps ? [] : eModeIds.ToDictionary(id => id, id => new EModeReads(
            batch.Add<GetEModeCategoryCollateralConfigFunction, EModeCollateralConfigOutput>(pool, new() { Id = (byte)id }),
            batch.Add<GetEModeCategoryCollateralBitmapFunction, Uint256Output>(pool, new() { Id = (byte)id }),
            batch.Add<GetEModeCategoryBorrowableBitmapFunction, Uint256Output>(pool, new() { Id = (byte)id }),
            release.HasLtvZeroBitmap ? batch.Add<GetEModeCategoryLtvzeroBitmapFunction, Uint256Output>(pool, new() { Id = (byte)id }) : null,
            batch.Add<GetEModeCategoryLabelFunction, StringOutput>(pool, new() { Id = (byte)id })));

        // Before 3.1 there is no virtual balance: what flashLoanSimple can lend is the aToken's balance of the underlying.
        var underlying = release.HasVirtualAccounting ? null
            : reserves.Select(r => batch.Add<BalanceOfFunction, Uint256Output>(r.Asset.Value, new() { Account = r.AToken.Value })).ToList();

        // Balances in rounds of accounts; the first with the round-3 reads above. Scaled balances times the indexes read in
        // round 2 (AaveV3BalanceRound: the token's own balanceOf, checked, and read directly where it is not that product).
        var balances = new List<BalanceLeg>();
        var from = 0;
        do
        {
            var round = new AaveV3BalanceRound(batch, release);
            var u = from;
            for (; u < accounts.Count && perRound.Takes(u - from, batch); u++)
            {
                if (configBits[u].IsZero) continue; // no position at this block (repaid and withdrawn, or not yet opened)
                var bits = configBits[u].ToByteArray(isUnsigned: true); // little-endian: bit n is byte n / 8
                foreach (var reserve in reserves)
                {
                    var borrowing = IsSet(bits, 2 * reserve.Id);
                    var collateral = IsSet(bits, 2 * reserve.Id + 1);
                    if (borrowing || collateral) round.Add(u, accounts[u], reserve, collateral, borrowing);
                }
            }
            await reader.ExecuteAsync(batch, ct);
            if (round.AddDirectReads(batch)) await reader.ExecuteAsync(batch, ct);
            foreach (var b in round.Balances())
                balances.Add(new BalanceLeg(b.Account, b.Reserve, b.Collateral, b.Supplied, b.Variable, b.Stable));
            reader.Report(stage, u, accounts.Count);
            from = u;
        }
        while (from < accounts.Count);

        if (underlying is not null)
            for (var i = 0; i < reserves.Count; i++)
                reserves[i] = reserves[i] with { UnderlyingBalance = underlying[i].Ok ? underlying[i].Value.Value : null };

        // E-mode categories (a category with LT 0 is not configured). ≤ 3.1 getEModeCategoryData: the members are the reserves
        // whose configuration bits 168–175 name the category, and a price source, when set, is priced by the AaveOracle like
        // an asset (EModeLogic.getEModeConfiguration). 3.2+: the bitmaps name the reserves by id — collateral (LT, bonus),
        // borrowable, and 3.6 ltvzero (LTV 0 inside the category).
        var categories = new List<(int Id, EModeCategoryTuple Data, List<Address> Members, List<Address>? Borrowable, List<Address>? LtvZero)>();
        foreach (var (id, reply) in eModeLegacy)
            if (reply.Value.Category.LiquidationThreshold != 0)
                categories.Add((id, reply.Value.Category, reserves.Where(r => r.EModeCategory == id).Select(r => r.Asset).Order().ToList(), null, null));
        foreach (var (id, v) in eModeBitmaps)
        {
            var config = v.Config.Value;
            if (config.LiquidationThreshold == 0) continue;
            var tuple = new EModeCategoryTuple
            {
                Ltv = config.Ltv, LiquidationThreshold = config.LiquidationThreshold, LiquidationBonus = config.LiquidationBonus,
                PriceSource = Address.Zero.Value, Label = v.Label.Value.Value,
            };
            categories.Add((id, tuple, OnBitmap(reserves, v.Collateral.Value.Value), OnBitmap(reserves, v.Borrowable.Value.Value),
                v.LtvZero is null ? null : OnBitmap(reserves, v.LtvZero.Value.Value)));
        }
        var sourcePrices = categories.Where(c => !Address.Parse(c.Data.PriceSource).IsZero)
            .Select(c => c.Data.PriceSource.ToLowerInvariant()).Distinct()
            .ToDictionary(s => s, s => batch.Add<GetAssetPriceFunction, Uint256Output>(oracle, new() { Asset = s }));
        await reader.ExecuteAsync(batch, ct);
        var eModes = categories.Select(c => new AaveV3EModeCategory(c.Id, c.Data.Ltv, c.Data.LiquidationThreshold, c.Data.LiquidationBonus,
            Address.Parse(c.Data.PriceSource), c.Data.Label, c.Members,
            sourcePrices.TryGetValue(c.Data.PriceSource.ToLowerInvariant(), out var sp) ? sp.Value.Value : null, c.Borrowable, c.LtvZero)).ToList();

        // Unpriced reserves leave with every account that uses them (collateral or borrowing bit): a warning per reserve.
        var skippedAccounts = new HashSet<int>();
        foreach (var i in unpriced.Order())
        {
            var reserve = reserves[i];
            var holders = balances.Where(b => b.Reserve.Asset == reserve.Asset).Select(b => b.Account).ToHashSet();
            skippedAccounts.UnionWith(holders);
            var pricedDebt = 0.0;
            var ownDebt = BigInteger.Zero;
            foreach (var b in balances.Where(b => holders.Contains(b.Account)))
            {
                var debt = b.Variable + b.Stable;
                if (b.Reserve.Asset == reserve.Asset) ownDebt += debt;
                else if (!unpriced.Contains(reserves.IndexOf(b.Reserve)))
                    pricedDebt += (double)(debt * ToUsd8(b.Reserve.OraclePrice, baseUnit)) / Math.Pow(10, b.Reserve.Decimals + 8);
            }
            var symbol = meta[i].Symbol(reserve.Asset);
            warnings.Add(new IndexWarning(Protocol, "unpriced-reserve", reserve.Asset.Value,
                $"{d.Name}: reserve {symbol} ({reserve.Asset}) priced ≤ 0 (the oracle's price call reverts or answers 0): skipped with the " +
                $"{holders.Count} positions holding it, debt ${pricedDebt:N2} in other reserves plus {ownDebt} base units of {symbol}", holders.Count));
        }
        if (unpriced.Count > 0)
        {
            var gone = unpriced.Select(i => reserves[i].Asset).ToHashSet();
            reserves = reserves.Where(r => !gone.Contains(r.Asset)).ToList();
            eModes = eModes.Select(e => e with
            {
                CollateralAssets = e.CollateralAssets.Where(a => !gone.Contains(a)).ToList(),
                BorrowableAssets = e.BorrowableAssets?.Where(a => !gone.Contains(a)).ToList(),
                LtvZeroAssets = e.LtvZeroAssets?.Where(a => !gone.Contains(a)).ToList(),
            }).ToList();
        }

        var market = new AaveV3Market(d.Name, Address.Parse(pool), Address.Parse(oracle), Address.Parse(d.DataProvider), release.RulesRevision,
            baseUnit, reserves, eModes,
            premium.Ok && premium.Value.Value <= 10_000 ? (int)premium.Value.Value : null);

        var accountStates = new List<AaveV3Account>();
        foreach (var group in balances.Where(b => !skippedAccounts.Contains(b.Account)).GroupBy(b => b.Account))
        {
            var positions = group.OrderBy(b => b.Reserve.Id).Select(b => new AaveV3AccountReserve(b.Reserve.Asset,
                b.Supplied, b.Collateral, b.Variable, b.Stable)).ToList();
            accountStates.Add(new AaveV3Account(Address.Parse(accounts[group.Key]), eModeOf[group.Key], positions));
        }
        accountStates.Sort((a, b) => a.Account.CompareTo(b.Account));

        // Assets: oracle kind from the source. A source with the CAPO surface (getRatio, BASE_TO_USD_AGGREGATOR,
        // RATIO_DECIMALS) whose base aggregator is itself a reserve's source is an exchange-rate oracle on that
        // reserve; anything else is a market feed.
        var reserveBySource = new Dictionary<string, Address>();
        for (var i = 0; i < assets.Count; i++) reserveBySource.TryAdd(sources[i].Value.Value.ToLowerInvariant(), Address.Parse(assets[i]));
        var assetList = new List<Asset>();
        for (var i = 0; i < assets.Count; i++)
        {
            if (unpriced.Contains(i)) continue;
            var reserve = reserves.Single(r => r.Asset.Value == assets[i]);
            var source = sources[i].Value.Value.ToLowerInvariant();
            var oracleInfo = AssetOracle.MarketFeed(Address.Parse(source));
            if (ratio.TryGetValue(source, out var capo) && capo.Ratio.Ok && capo.Base.Ok && capo.Decimals.Ok
                && reserveBySource.TryGetValue(capo.Base.Value.Value.ToLowerInvariant(), out var baseAsset) && baseAsset != reserve.Asset)
                oracleInfo = new AssetOracle(OracleKind.ExchangeRate, Address.Parse(source), baseAsset, capo.Ratio.Value.Value, capo.Decimals.Value.Value);
            assetList.Add(new Asset(reserve.Asset, meta[i].Symbol(reserve.Asset), reserve.Decimals, ToUsd8(reserve.OraclePrice, baseUnit), oracleInfo));
        }
        return (new AaveV3MarketState(market, accountStates), assetList);
    }

    /// <summary>
    /// Request body per round by default: 90 % of 8 request bodies, so a round's packed reads (plus the lens's own few per cent)
    /// make 8 requests, the last nearly full — at most one part-filled request per 8 on a large book. About 54,000 reads: a
    /// round holds as many replies as the 20,000-account rounds did, and a book up to ~25,000 accounts reads in one round.
    /// </summary>
    public const long DefaultCharsPerRound = 8L * EthRpc.MaxRequestChars * 9 / 10;

    /// <summary>When a round closes: at <see cref="Accounts"/> accounts, or at the account that brings the round's reads to <see cref="Chars"/>.</summary>
    private readonly record struct RoundSize(int Accounts, long Chars)
    {
        /// <summary>True when a round holding <paramref name="taken"/> accounts (its reads in <paramref name="batch"/>) takes one more.</summary>
        public bool Takes(int taken, ReadBatch batch) => taken == 0 || (taken < Accounts && batch.PackedChars < Chars);
    }

    /// <summary>One account's balances in one reserve (base units), read.</summary>
    private sealed record BalanceLeg(int Account, AaveV3Reserve Reserve, bool Collateral, BigInteger Supplied, BigInteger Variable, BigInteger Stable);

    /// <summary>User configuration and e-mode reads for the accounts from <paramref name="start"/> that one round takes.</summary>
    private static List<(Reply<Uint256Output> Config, Reply<Uint256Output> EMode)> AddUserReads(ReadBatch batch, string pool, IReadOnlyList<string> accounts, int start, RoundSize size)
    {
        var reads = new List<(Reply<Uint256Output>, Reply<Uint256Output>)>();
        for (var u = start; u < accounts.Count && size.Takes(reads.Count, batch); u++)
            reads.Add((batch.Add<GetUserConfigurationFunction, Uint256Output>(pool, new() { User = accounts[u] }),
                batch.Add<GetUserEModeFunction, Uint256Output>(pool, new() { User = accounts[u] })));
        return reads;
    }

    private static void TakeUserReads(List<(Reply<Uint256Output> Config, Reply<Uint256Output> EMode)> reads, int start, BigInteger[] configBits, int[] eModeOf)
    {
        for (var i = 0; i < reads.Count; i++)
        {
            configBits[start + i] = reads[i].Config.Value.Value;
            eModeOf[start + i] = (int)reads[i].EMode.Value.Value;
        }
    }

    /// <summary>Bit <paramref name="n"/> of a little-endian unsigned number (a user configuration: 2 bits per reserve id).</summary>
    private static bool IsSet(byte[] littleEndian, int n) => n / 8 < littleEndian.Length && (littleEndian[n / 8] & (1 << (n % 8))) != 0;

    /// <summary>The reserves whose id bit is set in an e-mode bitmap, by address.</summary>
    private static List<Address> OnBitmap(IEnumerable<AaveV3Reserve> reserves, BigInteger bitmap) =>
        reserves.Where(r => !((bitmap >> r.Id) & 1).IsZero).Select(r => r.Asset).Order().ToList();

    /// <summary>The 3.2+ reads of one e-mode category (ltvzero: 3.6+ only).</summary>
    private sealed record EModeReads(Reply<EModeCollateralConfigOutput> Config, Reply<Uint256Output> Collateral, Reply<Uint256Output> Borrowable,
        Reply<Uint256Output>? LtvZero, Reply<StringOutput> Label);

    /// <summary>Base-currency price → USD with 8 decimals (identity for USD markets, whose unit is 1e8).</summary>
    private static BigInteger ToUsd8(BigInteger price, BigInteger baseUnit) =>
        baseUnit == 100_000_000 || baseUnit.IsZero ? price : price * 100_000_000 / baseUnit;
}
