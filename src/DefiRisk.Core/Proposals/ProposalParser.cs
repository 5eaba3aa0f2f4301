using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// Reads a proposal file (JSON; example in <c>fixtures/example-proposal.json</c>) and validates it against the
/// snapshot it will be applied to. Every problem is refused with one line naming the key path; nothing
/// runs on a partly valid proposal. Percentages are strings with a % sign ("82.5%"), so a bps/percent/wad
/// mix-up cannot pass silently; USD amounts are plain numbers.
/// </summary>
public static class ProposalParser
{
    public static Proposal Parse(string json, string source, Snapshot snapshot)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new DefiRiskException($"malformed proposal file {source}: {JsonErrorText.Describe(ex, json)}"); }
        using (doc)
        {
            var r = new Reader(source, snapshot);
            return r.ReadProposal(doc.RootElement);
        }
    }

    private sealed class Reader(string source, Snapshot snapshot)
    {
        private DefiRiskException Error(string path, string problem) => new($"proposal {source}: {path}: {problem}");

        public Proposal ReadProposal(JsonElement root)
        {
            Expect(root, "$", JsonValueKind.Object);
            Keys(root, "$", "name", "description", "aave-v3", "morpho-blue", "breakers");
            var name = OptString(root, "name", "$") ?? Path.GetFileNameWithoutExtension(source);
            var description = OptString(root, "description", "$") ?? "";

            var reserves = new List<AaveV3ReserveChange>();
            var emodes = new List<AaveV3EModeChange>();
            AaveV3CloseFactorChange? closeFactor = null;
            if (root.TryGetProperty("aave-v3", out var aave))
            {
                const string p = "$.aave-v3";
                Expect(aave, p, JsonValueKind.Object);
                Keys(aave, p, "reserves", "emode", "closeFactor", "fullCloseHealthFactor");
                if (aave.TryGetProperty("reserves", out var rs))
                {
                    Expect(rs, p + ".reserves", JsonValueKind.Object);
                    foreach (var kv in rs.EnumerateObject()) reserves.Add(ReadReserve(kv.Name, kv.Value, $"{p}.reserves.{kv.Name}"));
                }
                if (aave.TryGetProperty("emode", out var es))
                {
                    Expect(es, p + ".emode", JsonValueKind.Object);
                    foreach (var kv in es.EnumerateObject()) emodes.Add(ReadEMode(kv.Name, kv.Value, $"{p}.emode.{kv.Name}", reserves));
                }
                int? cf = aave.TryGetProperty("closeFactor", out var cfe) ? Bps(cfe, p + ".closeFactor", 1, 10_000) : null;
                BigInteger? fullClose = aave.TryGetProperty("fullCloseHealthFactor", out var fce) ? Wad(fce, p + ".fullCloseHealthFactor", 0m, 1m) : null;
                if (cf is not null || fullClose is not null) closeFactor = new AaveV3CloseFactorChange(cf, fullClose);
            }

            var migrations = new List<MorphoBlueMigration>();
            if (root.TryGetProperty("morpho-blue", out var morpho))
            {
                const string p = "$.morpho-blue";
                Expect(morpho, p, JsonValueKind.Object);
                Keys(morpho, p, "migrations");
                if (morpho.TryGetProperty("migrations", out var ms))
                {
                    Expect(ms, p + ".migrations", JsonValueKind.Array);
                    var i = 0;
                    foreach (var m in ms.EnumerateArray())
                    {
                        var path = $"{p}.migrations[{i++}]";
                        var migration = ReadMigration(m, path);
                        // A market's borrowers can move once: a second migration of the same market would double-count them.
                        if (migrations.Any(x => x.Market == migration.Market))
                            throw Error(path + ".market", "this market is already migrated by an earlier entry");
                        migrations.Add(migration);
                    }
                }
            }

            var breakers = root.TryGetProperty("breakers", out var b) ? ReadBreakers(b, "$.breakers") : BreakerSettings.None;
            return new Proposal(name, description, reserves, emodes, closeFactor, migrations, breakers);
        }

        private AaveV3ReserveChange ReadReserve(string assetKey, JsonElement e, string p)
        {
            Expect(e, p, JsonValueKind.Object);
            Keys(e, p, "ltv", "liquidationThreshold", "liquidationBonus", "liquidationProtocolFee", "supplyCap", "borrowCap");
            var asset = snapshot.FindAsset(assetKey) ?? throw Error(p, $"no asset '{assetKey}' in the snapshot");
            // The change applies to the asset's reserve in every indexed pool (Core and Prime may both list it): check each.
            var reserves = snapshot.AaveV3Markets.SelectMany(m => m.Market.Reserves).Where(r => r.Asset == asset.Address).ToList();
            if (reserves.Count == 0) throw Error(p, $"'{assetKey}' is not an Aave v3 reserve in the snapshot");
            int? ltv = Opt(e, "ltv", v => Bps(v, p + ".ltv", 0, 10_000));
            int? lt = Opt(e, "liquidationThreshold", v => Bps(v, p + ".liquidationThreshold", 0, 10_000));
            // The bonus is written as the premium ("5%") and stored as Aave stores it (10500).
            int? lb = Opt(e, "liquidationBonus", v => 10_000 + Bps(v, p + ".liquidationBonus", 0, 10_000));
            int? fee = Opt(e, "liquidationProtocolFee", v => Bps(v, p + ".liquidationProtocolFee", 0, 10_000));
            BigInteger? supplyCap = Opt(e, "supplyCap", v => WholeTokens(v, p + ".supplyCap"));
            BigInteger? borrowCap = Opt(e, "borrowCap", v => WholeTokens(v, p + ".borrowCap"));

            var zeroBonus = false;
            foreach (var reserve in reserves)
            {
                // PoolConfigurator.configureReserveAsCollateral's own checks, on the values after the change.
                var newLtv = ltv ?? reserve.Ltv;
                var newLt = lt ?? reserve.LiquidationThreshold;
                var newLb = lb ?? reserve.LiquidationBonus;
                if (newLt < newLtv) throw Error(p + ".liquidationThreshold", $"liquidation threshold {newLt / 100m}% is below the LTV {newLtv / 100m}%");
                if (newLt != 0)
                {
                    if (newLb <= FixedPoint.PercentageFactor)
                        throw Error(p + ".liquidationBonus", "must be above 0% while the liquidation threshold is not 0 (configureReserveAsCollateral requires bonus > 100.00%)");
                    if (FixedPoint.PercentMul(newLt, newLb) > FixedPoint.PercentageFactor)
                        throw Error(p + ".liquidationBonus", $"threshold × (1 + bonus) = {FixedPoint.PercentMul(newLt, newLb)} bps exceeds 100%: liquidating would seize more than the collateral");
                }
                else
                {
                    // LT 0 disables the reserve as collateral: the configurator wants bonus 0 and no aToken holders (_checkNoSuppliers).
                    if (lb is not null) throw Error(p + ".liquidationBonus", "must be 0 when the liquidation threshold is 0% (configureReserveAsCollateral): leave it out");
                    var suppliers = snapshot.AaveV3Markets.SelectMany(m => m.Accounts)
                        .Count(a => a.Reserves.Any(x => x.Asset == asset.Address && !x.Collateral.IsZero));
                    if (suppliers > 0)
                        throw Error(p + ".liquidationThreshold", $"0% needs a reserve without suppliers (configureReserveAsCollateral's _checkNoSuppliers); {suppliers} account(s) in the snapshot supply {asset.Symbol}");
                    if (newLb != 0) zeroBonus = true;
                }
            }
            if (zeroBonus) lb = 0;
            return new AaveV3ReserveChange(asset.Symbol, ltv, lt, lb, fee, supplyCap, borrowCap);
        }

        private AaveV3EModeChange ReadEMode(string key, JsonElement e, string p, IReadOnlyList<AaveV3ReserveChange> reserveChanges)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > 255)
                throw Error(p, "an e-mode category is a number from 1 to 255");
            var existing = snapshot.AaveV3Markets.Select(m => m.Market.EMode(id)).FirstOrDefault(c => c is not null)
                           ?? throw Error(p, $"e-mode category {id} does not exist in the snapshot");
            Expect(e, p, JsonValueKind.Object);
            Keys(e, p, "ltv", "liquidationThreshold", "liquidationBonus");
            int? ltv = Opt(e, "ltv", v => Bps(v, p + ".ltv", 0, 10_000));
            int? lt = Opt(e, "liquidationThreshold", v => Bps(v, p + ".liquidationThreshold", 0, 10_000));
            int? lb = Opt(e, "liquidationBonus", v => 10_000 + Bps(v, p + ".liquidationBonus", 0, 10_000));
            // PoolConfigurator.setEModeCategory's checks, on the values after the change.
            var newLtv = ltv ?? existing.Ltv;
            var newLt = lt ?? existing.LiquidationThreshold;
            var newLb = lb ?? existing.LiquidationBonus;
            if (newLtv == 0) throw Error(p + ".ltv", "must not be 0% (setEModeCategory)");
            if (newLt == 0) throw Error(p + ".liquidationThreshold", "must not be 0% (setEModeCategory)");
            if (newLt < newLtv) throw Error(p + ".liquidationThreshold", $"liquidation threshold {newLt / 100m}% is below the LTV {newLtv / 100m}%");
            if (newLb <= FixedPoint.PercentageFactor) throw Error(p + ".liquidationBonus", "must be above 0% (setEModeCategory requires bonus > 100.00%)");
            if (FixedPoint.PercentMul(newLt, newLb) > FixedPoint.PercentageFactor)
                throw Error(p + ".liquidationBonus", "threshold × (1 + bonus) exceeds 100%");
            // ≤ v3.1 also: above the LTV and threshold of every reserve in the category (as the proposal leaves them).
            foreach (var m in snapshot.AaveV3Markets.Select(s => s.Market).Where(m => m.PoolRevision < AaveV3Revision.V3_2))
            {
                var category = m.EMode(id);
                if (category is null) continue;
                foreach (var r in m.Reserves.Where(r => category.Contains(r.Asset)))
                {
                    var symbol = snapshot.FindAsset(r.Asset)?.Symbol ?? r.Asset.ToString();
                    var change = reserveChanges.FirstOrDefault(c => snapshot.FindAsset(c.Asset)?.Address == r.Asset);
                    var reserveLtv = change?.Ltv ?? r.Ltv;
                    var reserveLt = change?.LiquidationThreshold ?? r.LiquidationThreshold;
                    if (newLtv <= reserveLtv) throw Error(p + ".ltv", $"{newLtv / 100m}% must be above the LTV {reserveLtv / 100m}% of {symbol} (setEModeCategory, v3.0/3.1)");
                    if (newLt <= reserveLt) throw Error(p + ".liquidationThreshold", $"{newLt / 100m}% must be above the threshold {reserveLt / 100m}% of {symbol} (setEModeCategory, v3.0/3.1)");
                }
            }
            return new AaveV3EModeChange(id, ltv, lt, lb);
        }

        private MorphoBlueMigration ReadMigration(JsonElement e, string p)
        {
            Expect(e, p, JsonValueKind.Object);
            Keys(e, p, "market", "lltv", "share");
            var marketKey = OptString(e, "market", p) ?? throw Error(p + ".market", "missing");
            var market = FindMorphoMarket(marketKey) ?? throw Error(p + ".market", $"no Morpho Blue market '{marketKey}' in the snapshot (use its id or COLLATERAL/LOAN symbols)");
            var lltv = e.TryGetProperty("lltv", out var l) ? Wad(l, p + ".lltv", 0m, 0.9999m, percent: true) : throw Error(p + ".lltv", "missing");
            var share = e.TryGetProperty("share", out var s) ? Wad(s, p + ".share", 0m, 1m, percent: true) : FixedPoint.Wad;
            return new MorphoBlueMigration(market.Id, lltv, share);
        }

        private MorphoBlueMarket? FindMorphoMarket(string key)
        {
            var markets = snapshot.MorphoBlue.SelectMany(m => m.Markets).ToList();
            var byId = markets.FirstOrDefault(m => string.Equals(m.Id, key, StringComparison.OrdinalIgnoreCase));
            if (byId is not null) return byId;
            var parts = key.Split('/');
            if (parts.Length != 2) return null;
            var matches = markets.Where(m =>
                string.Equals(snapshot.FindAsset(m.CollateralToken)?.Symbol, parts[0], StringComparison.OrdinalIgnoreCase) &&
                string.Equals(snapshot.FindAsset(m.LoanToken)?.Symbol, parts[1], StringComparison.OrdinalIgnoreCase)).ToList();
            return matches.Count == 1 ? matches[0] : null;
        }

        private BreakerSettings ReadBreakers(JsonElement e, string p)
        {
            Expect(e, p, JsonValueKind.Object);
            Keys(e, p, "liquidationCaps", "oracleDelay", "deviationPause", "minLiquidationUsd");
            var caps = new List<LiquidationCap>();
            if (e.TryGetProperty("liquidationCaps", out var cs))
            {
                Expect(cs, p + ".liquidationCaps", JsonValueKind.Array);
                var i = 0;
                foreach (var c in cs.EnumerateArray()) caps.Add(ReadCap(c, $"{p}.liquidationCaps[{i++}]"));
            }
            OracleDelay? delay = null;
            if (e.TryGetProperty("oracleDelay", out var d))
            {
                var dp = p + ".oracleDelay";
                Expect(d, dp, JsonValueKind.Object);
                Keys(d, dp, "steps", "assets");
                var steps = Int(d, "steps", dp, 1, 1000);
                var assets = new List<string>();
                if (d.TryGetProperty("assets", out var a))
                {
                    Expect(a, dp + ".assets", JsonValueKind.Array);
                    foreach (var x in a.EnumerateArray())
                    {
                        var sym = x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Error(dp + ".assets", "entries are asset symbols or addresses");
                        assets.Add(snapshot.FindAsset(sym)?.Symbol ?? throw Error(dp + ".assets", $"no asset '{sym}' in the snapshot"));
                    }
                }
                delay = new OracleDelay(steps, assets);
            }
            DeviationPause? pause = null;
            if (e.TryGetProperty("deviationPause", out var dv))
            {
                var pp = p + ".deviationPause";
                Expect(dv, pp, JsonValueKind.Object);
                Keys(dv, pp, "threshold", "windowSteps", "pauseSteps", "graceSteps", "graceHealthFactor");
                var threshold = dv.TryGetProperty("threshold", out var t) ? Bps(t, pp + ".threshold", 1, 10_000) : throw Error(pp + ".threshold", "missing");
                pause = new DeviationPause(threshold,
                    Int(dv, "windowSteps", pp, 1, 1000, 1),
                    Int(dv, "pauseSteps", pp, 1, 1000),
                    Int(dv, "graceSteps", pp, 0, 1000, 0),
                    dv.TryGetProperty("graceHealthFactor", out var g) ? Wad(g, pp + ".graceHealthFactor", 0m, 1m) : 950_000_000_000_000_000);
            }
            BigInteger? min = e.TryGetProperty("minLiquidationUsd", out var mn) ? Usd(mn, p + ".minLiquidationUsd") : null;
            return new BreakerSettings(caps, delay, pause, min);
        }

        private LiquidationCap ReadCap(JsonElement e, string p)
        {
            Expect(e, p, JsonValueKind.Object);
            Keys(e, p, "scope", "maxUsd", "windowSteps");
            var scopeText = OptString(e, "scope", p) ?? "global";
            (CapScope scope, string? key) = scopeText switch
            {
                "global" => (CapScope.Global, (string?)null),
                "aave-v3" or "morpho-blue" => (CapScope.Protocol, scopeText),
                _ when scopeText.StartsWith("collateral:", StringComparison.Ordinal) =>
                    (CapScope.CollateralAsset, snapshot.FindAsset(scopeText["collateral:".Length..])?.Symbol ?? throw Error(p + ".scope", $"no asset '{scopeText["collateral:".Length..]}' in the snapshot")),
                _ => throw Error(p + ".scope", $"'{scopeText}' is not global, aave-v3, morpho-blue or collateral:SYMBOL"),
            };
            var max = e.TryGetProperty("maxUsd", out var m) ? Usd(m, p + ".maxUsd") : throw Error(p + ".maxUsd", "missing");
            return new LiquidationCap(scope, key, max, Int(e, "windowSteps", p, 1, 1000, 1));
        }

        // ------------------------------------------------------------ scalar readers

        private void Expect(JsonElement e, string p, JsonValueKind kind)
        {
            if (e.ValueKind != kind) throw Error(p, $"expected {kind.ToString().ToLowerInvariant()}, found {e.ValueKind.ToString().ToLowerInvariant()}");
        }

        private void Keys(JsonElement e, string p, params string[] allowed)
        {
            foreach (var prop in e.EnumerateObject())
                if (Array.IndexOf(allowed, prop.Name) < 0)
                    throw Error($"{p}.{prop.Name}", $"unknown key (allowed: {string.Join(", ", allowed)})");
        }

        private static T? Opt<T>(JsonElement e, string key, Func<JsonElement, T> read) where T : struct =>
            e.TryGetProperty(key, out var v) ? read(v) : null;

        private string? OptString(JsonElement e, string key, string p)
        {
            if (!e.TryGetProperty(key, out var v)) return null;
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error($"{p}.{key}", "expected a string");
        }

        private int Int(JsonElement e, string key, string p, int min, int max, int? fallback = null)
        {
            if (!e.TryGetProperty(key, out var v))
                return fallback ?? throw Error($"{p}.{key}", "missing");
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) throw Error($"{p}.{key}", "expected a whole number");
            if (n < min || n > max) throw Error($"{p}.{key}", $"{n} is out of range [{min}, {max}]");
            return n;
        }

        /// <summary>"82.5%" → 8250 bps, exactly (at most two decimals, as bps allow).</summary>
        private int Bps(JsonElement v, string p, int min, int max)
        {
            var pct = Percent(v, p);
            var bps = pct * 100m;
            if (bps != decimal.Truncate(bps)) throw Error(p, $"{pct}% has more precision than 0.01% (1 bps)");
            if (bps < min || bps > max) throw Error(p, $"{pct}% is out of range [{min / 100m}%, {max / 100m}%]");
            return (int)bps;
        }

        private decimal Percent(JsonElement v, string p)
        {
            var text = v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : null;
            if (text is null || !text.EndsWith('%'))
                throw Error(p, "write percentages as strings with a % sign, e.g. \"82.5%\"");
            if (!decimal.TryParse(text[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pct))
                throw Error(p, $"'{text}' is not a percentage");
            return pct;
        }

        /// <summary>A fraction as a wad: "86%" (percent) or 0.95 (plain number), within [min, max].</summary>
        private BigInteger Wad(JsonElement v, string p, decimal min, decimal max, bool percent = false)
        {
            decimal x;
            if (percent) x = Percent(v, p) / 100m;
            else if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d)) x = d;
            else throw Error(p, "expected a number");
            if (x < min || x > max) throw Error(p, $"{(percent ? x * 100m + "%" : x.ToString(CultureInfo.InvariantCulture))} is out of range");
            var scaled = x * 1_000_000_000_000_000_000m;
            if (scaled != decimal.Truncate(scaled)) throw Error(p, "more than 18 decimals");
            return new BigInteger(scaled);
        }

        /// <summary>A USD amount (plain number, ≥ 0) → 8-decimal base-currency units.</summary>
        private BigInteger Usd(JsonElement v, string p)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var usd)) throw Error(p, "expected a USD amount (a number)");
            if (usd < 0) throw Error(p, $"{usd} is negative");
            if (usd > 1e15m) throw Error(p, $"{usd} is absurdly large");
            return new BigInteger(decimal.Truncate(usd * 100_000_000m));
        }

        private BigInteger WholeTokens(JsonElement v, string p)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var n) || n != decimal.Truncate(n)) throw Error(p, "expected a whole number of tokens");
            if (n < 0) throw Error(p, $"{n} is negative");
            if (n > 68_719_476_735m) throw Error(p, $"{n} exceeds the 36-bit cap field");
            return new BigInteger(n);
        }
    }
}
