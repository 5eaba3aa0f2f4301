using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// Reads a proposal file (JSON; example in <c>fixtures/example-proposal.json</c>) and validates it against the
/// snapshot it will be applied to. Every problem is refused with one line naming the key path; nothing
/// runs on a partly valid proposal. Percentages are strings with a % sign ("82.5%"), so a bps/percent/wad
/// mix-up cannot pass silently; USD amounts are plain numbers.
/// </summary>
public static class ProposalParser
{
    /// <param name="sections">the protocol families' proposal sections (the registry lists them).</param>
    public static Proposal Parse(string json, string source, Snapshot snapshot, IReadOnlyList<IProposalSection> sections)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new DefiRiskException($"malformed proposal file {source}: {JsonErrorText.Describe(ex, json)}"); }
        using (doc)
        {
            var r = new ProposalReader(source, snapshot, sections);
            return r.ReadProposal(doc.RootElement);
        }
    }

}

/// <summary>
/// Reads one proposal file: the shared keys and breakers here, each family's section through its <see cref="IProposalSection"/>
/// with the scalar readers below (percentages with a % sign, wads, USD, whole tokens), every error one line naming its key path.
/// </summary>
public sealed class ProposalReader(string source, Snapshot snapshot, IReadOnlyList<IProposalSection> sections)
{
        public Snapshot Snapshot => snapshot;

        public DefiRiskException Error(string path, string problem) => new($"proposal {source}: {path}: {problem}");

        internal Proposal ReadProposal(JsonElement root)
        {
            Expect(root, "$", JsonValueKind.Object);
            Keys(root, "$", ["name", "description", "breakers", .. sections.Select(s => s.Key)]);
            var name = OptString(root, "name", "$") ?? Path.GetFileNameWithoutExtension(source);
            var description = OptString(root, "description", "$") ?? "";

            var changes = new List<IProtocolChange>();
            foreach (var section in sections)
                if (root.TryGetProperty(section.Key, out var e))
                {
                    var path = "$." + section.Key;
                    Expect(e, path, JsonValueKind.Object);
                    changes.Add(section.Read(e, path, this));
                }

            var breakers = root.TryGetProperty("breakers", out var b) ? ReadBreakers(b, "$.breakers") : BreakerSettings.None;
            return new Proposal(name, description, changes, breakers);
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
                _ when snapshot.Books.Any(b => b.Protocol == scopeText) => (CapScope.Protocol, scopeText),
                _ when scopeText.StartsWith("collateral:", StringComparison.Ordinal) =>
                    (CapScope.CollateralAsset, snapshot.FindAsset(scopeText["collateral:".Length..])?.Symbol ?? throw Error(p + ".scope", $"no asset '{scopeText["collateral:".Length..]}' in the snapshot")),
                _ => throw Error(p + ".scope", $"'{scopeText}' is not global, a protocol of the snapshot ({string.Join(", ", snapshot.Books.Select(b => b.Protocol))}) or collateral:SYMBOL"),
            };
            var max = e.TryGetProperty("maxUsd", out var m) ? Usd(m, p + ".maxUsd") : throw Error(p + ".maxUsd", "missing");
            return new LiquidationCap(scope, key, max, Int(e, "windowSteps", p, 1, 1000, 1));
        }

        // ------------------------------------------------------------ scalar readers

        public void Expect(JsonElement e, string p, JsonValueKind kind)
        {
            if (e.ValueKind != kind) throw Error(p, $"expected {kind.ToString().ToLowerInvariant()}, found {e.ValueKind.ToString().ToLowerInvariant()}");
        }

        public void Keys(JsonElement e, string p, params IReadOnlyList<string> allowed)
        {
            foreach (var prop in e.EnumerateObject())
                if (!allowed.Contains(prop.Name))
                    throw Error($"{p}.{prop.Name}", $"unknown key (allowed: {string.Join(", ", allowed)})");
        }

        public static T? Opt<T>(JsonElement e, string key, Func<JsonElement, T> read) where T : struct =>
            e.TryGetProperty(key, out var v) ? read(v) : null;

        public string? OptString(JsonElement e, string key, string p)
        {
            if (!e.TryGetProperty(key, out var v)) return null;
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error($"{p}.{key}", "expected a string");
        }

        public int Int(JsonElement e, string key, string p, int min, int max, int? fallback = null)
        {
            if (!e.TryGetProperty(key, out var v))
                return fallback ?? throw Error($"{p}.{key}", "missing");
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) throw Error($"{p}.{key}", "expected a whole number");
            if (n < min || n > max) throw Error($"{p}.{key}", $"{n} is out of range [{min}, {max}]");
            return n;
        }

        /// <summary>"82.5%" → 8250 bps, exactly (at most two decimals, as bps allow).</summary>
        public int Bps(JsonElement v, string p, int min, int max)
        {
            var pct = Percent(v, p);
            var bps = pct * 100m;
            if (bps != decimal.Truncate(bps)) throw Error(p, $"{pct}% has more precision than 0.01% (1 bps)");
            if (bps < min || bps > max) throw Error(p, $"{pct}% is out of range [{min / 100m}%, {max / 100m}%]");
            return (int)bps;
        }

        public decimal Percent(JsonElement v, string p)
        {
            var text = v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : null;
            if (text is null || !text.EndsWith('%'))
                throw Error(p, "write percentages as strings with a % sign, e.g. \"82.5%\"");
            if (!decimal.TryParse(text[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pct))
                throw Error(p, $"'{text}' is not a percentage");
            return pct;
        }

        /// <summary>A fraction as a wad: "86%" (percent) or 0.95 (plain number), within [min, max].</summary>
        public BigInteger Wad(JsonElement v, string p, decimal min, decimal max, bool percent = false)
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
        public BigInteger Usd(JsonElement v, string p)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var usd)) throw Error(p, "expected a USD amount (a number)");
            if (usd < 0) throw Error(p, $"{usd} is negative");
            if (usd > 1e15m) throw Error(p, $"{usd} is absurdly large");
            return new BigInteger(decimal.Truncate(usd * 100_000_000m));
        }

        public BigInteger WholeTokens(JsonElement v, string p)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var n) || n != decimal.Truncate(n)) throw Error(p, "expected a whole number of tokens");
            if (n < 0) throw Error(p, $"{n} is negative");
            if (n > 68_719_476_735m) throw Error(p, $"{n} exceeds the 36-bit cap field");
            return new BigInteger(n);
        }
    }
