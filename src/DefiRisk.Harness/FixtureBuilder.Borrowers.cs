using System.Numerics;
using System.Text.Json;
using DefiRisk.Core;
using Nethereum.Util;
using static DefiRisk.Harness.FixtureMessages;

namespace DefiRisk.Harness;

/// <summary>One borrower's positions: Aave collateral and variable debt (base units), and maybe one Morpho borrow.</summary>
internal sealed record BorrowerPlan(string Address, bool EMode, IReadOnlyList<PositionLeg> Collateral, IReadOnlyList<PositionLeg> Debt, MorphoLeg? Morpho, double TargetHealthFactor)
{
    public bool HasAave => Debt.Count > 0;
}

internal sealed record PositionLeg(string Symbol, BigInteger Amount);

/// <summary>Index into the fixture's Morpho markets, collateral supplied and assets borrowed (base units).</summary>
internal sealed record MorphoLeg(int Market, BigInteger Collateral, BigInteger Borrow, double TargetHealthFactor);

public sealed partial class FixtureBuilder
{
    /// <summary>Transactions per mined block while opening positions. Kept at 150 for large books too: blocks of 3,000
    /// made anvil ten times slower per transaction (7 instead of 70 borrowers/s; its pool work grows with the pending count).</summary>
    private const int TxsPerBlock = 150;

    /// <summary>
    /// The seeded borrower population. Sizes are log-normal around $25k collateral with a few whales
    /// ($3–15 M); target health factors cluster just above 1 (35 % in 1.01–1.30), then thin out to 3.
    /// 80 % of Aave accounts hold volatile collateral (WETH, wstETH, WBTC) against stablecoin debt
    /// (USDC, DAI); 20 % are in e-mode 1 borrowing WETH against wstETH. About 25 % of Aave accounts also
    /// borrow on Morpho, and about 10 % of borrowers use Morpho only. Every draw happens in a fixed
    /// order, so a seed fixes the whole population.
    /// </summary>
    internal static IReadOnlyList<BorrowerPlan> GenerateBorrowers(int seed, int count, int morphoMarkets, bool eModeOnlyCollateral = false)
    {
        var rng = new Random(seed);
        var price = AllReserves.ToDictionary(r => r.Symbol, r => (double)r.PriceUsd);
        var spec = AllReserves.ToDictionary(r => r.Symbol);
        var plans = new List<BorrowerPlan>(count);
        for (var i = 0; i < count; i++)
        {
            var address = "0x" + Sha3Keccack.Current.CalculateHash($"defirisk-fixture-borrower:{seed}:{i}")[24..];
            var morphoOnly = rng.NextDouble() < 0.10;
            var size = rng.NextDouble() < 0.012
                ? 3_000_000 + 12_000_000 * rng.NextDouble()
                : Math.Clamp(Math.Exp(Math.Log(25_000) + 1.5 * Normal(rng)), 500, 4_000_000);
            var hf = SampleHealthFactor(rng);

            var collateral = new List<PositionLeg>();
            var debt = new List<PositionLeg>();
            var eMode = false;
            if (!morphoOnly)
            {
                eMode = rng.NextDouble() < 0.20;
                var weights = new Dictionary<string, double>();
                if (eMode)
                {
                    weights["wstETH"] = 1;
                    if (rng.NextDouble() < 0.3) weights["WETH"] = 0.2 + rng.NextDouble();
                    // 3.6 only (an extra draw, so 3.0 populations keep their bytes): a third of loopers also hold the
                    // collateral that counts only in the e-mode.
                    if (eModeOnlyCollateral && rng.NextDouble() < 0.35) weights[EModeOnlyReserve.Symbol] = 0.3 + rng.NextDouble();
                }
                else
                {
                    if (rng.NextDouble() < 0.70) weights["WETH"] = 0.2 + rng.NextDouble();
                    if (rng.NextDouble() < 0.35) weights["wstETH"] = 0.2 + rng.NextDouble();
                    if (rng.NextDouble() < 0.30) weights["WBTC"] = 0.2 + rng.NextDouble();
                    if (weights.Count == 0) weights["WETH"] = 1;
                }
                var total = weights.Values.Sum();
                double borrowingPower = 0; // Σ collateral USD × liquidation threshold
                foreach (var (symbol, w) in weights)
                {
                    var usd = size * w / total;
                    collateral.Add(new PositionLeg(symbol, Units((decimal)(usd / price[symbol]), spec[symbol].Decimals)));
                    borrowingPower += usd * (eMode ? EModeLt : spec[symbol].LiquidationThreshold) / 10_000.0;
                }
                var debtUsd = borrowingPower / hf;
                if (eMode)
                {
                    debt.Add(new PositionLeg("WETH", Units((decimal)(debtUsd / price["WETH"]), 18)));
                }
                else
                {
                    var usdcShare = rng.NextDouble() switch { < 0.55 => 1.0, < 0.80 => 0.0, var u => 0.2 + u * 0.6 };
                    if (usdcShare > 0) debt.Add(new PositionLeg("USDC", Units((decimal)(debtUsd * usdcShare), 6)));
                    if (usdcShare < 1) debt.Add(new PositionLeg("DAI", Units((decimal)(debtUsd * (1 - usdcShare)), 18)));
                }
            }

            MorphoLeg? morpho = null;
            if (morphoOnly || rng.NextDouble() < 0.25)
            {
                var market = rng.NextDouble() switch { < 0.40 => 0, < 0.60 => 1, < 0.85 => 2, _ => 3 } % morphoMarkets;
                var (coll, loan, lltv) = MorphoMarketSpecs[market];
                var morphoHf = SampleHealthFactor(rng);
                var collUsd = morphoOnly ? size : size * (0.2 + 0.6 * rng.NextDouble());
                var lltvValue = (double)(decimal)lltv / 1e18;
                var borrowTokens = collUsd * lltvValue / morphoHf / price[loan];
                morpho = new MorphoLeg(market,
                    Units((decimal)(collUsd / price[coll]), spec[coll].Decimals),
                    Units((decimal)borrowTokens, spec[loan].Decimals),
                    morphoHf);
            }
            plans.Add(new BorrowerPlan(address, eMode, collateral, debt, morpho, hf));
        }
        return plans;
    }

    /// <summary>35 % uniform in [1.01, 1.30), 20 % in [1.30, 1.60), the rest a thinning tail up to 3.</summary>
    private static double SampleHealthFactor(Random rng)
    {
        var u = rng.NextDouble();
        var r = rng.NextDouble();
        return u switch
        {
            < 0.35 => 1.01 + 0.29 * r,
            < 0.55 => 1.30 + 0.30 * r,
            _ => 1.60 + 1.40 * Math.Pow(r, 1.5),
        };
    }

    private static double Normal(Random rng)
    {
        // Box–Muller; 1 − NextDouble() keeps the log argument in (0, 1].
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// The lender supplies each borrowed asset to Aave and to each Morpho market at 125 % of what the
    /// borrowers will take (80 % utilisation); the funder mints all collateral once and approves the Pool and Morpho.
    /// </summary>
    private static async Task SupplyLiquidityAsync(ChainWriter chain, Deployed d, IReadOnlyList<BorrowerPlan> plans)
    {
        var max = (BigInteger.One << 256) - 1;
        var aaveDebt = Sum(plans.SelectMany(p => p.Debt));
        foreach (var (symbol, total) in aaveDebt)
        {
            var amount = total * 5 / 4 + BigInteger.One;
            await chain.SendAsync(Lender, d.Tokens[symbol], Abi.Call("mint(uint256)", amount), $"lender mint {symbol}").ConfigureAwait(false);
            await chain.SendAsync(Lender, d.Tokens[symbol], Abi.Call("approve(address,uint256)", d.Pool, max), $"lender approve {symbol}").ConfigureAwait(false);
            await chain.SendAsync(Lender, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", d.Tokens[symbol], amount, Lender, 0), $"lender supply {symbol}").ConfigureAwait(false);
        }
        for (var m = 0; m < d.MarketParams.Count; m++)
        {
            var mp = d.MarketParams[m];
            var borrowed = plans.Where(p => p.Morpho?.Market == m).Aggregate(BigInteger.Zero, (s, p) => s + p.Morpho!.Borrow);
            if (borrowed.IsZero) continue;
            var amount = borrowed * 5 / 4 + BigInteger.One;
            var loan = d.MorphoMarkets[m].LoanSymbol;
            await chain.SendAsync(Lender, mp.LoanToken, Abi.Call("mint(uint256)", amount), $"lender mint {loan} for Morpho").ConfigureAwait(false);
            await chain.SendAsync(Lender, mp.LoanToken, Abi.Call("approve(address,uint256)", d.Morpho, max), $"lender approve Morpho {loan}").ConfigureAwait(false);
            await chain.SendAsync(Lender, d.Morpho, Data(new SupplyFunction { MarketParams = mp, Assets = amount, OnBehalf = Lender }), $"lender supply Morpho {d.MorphoMarkets[m].Name}").ConfigureAwait(false);
        }

        var collateral = Sum(plans.SelectMany(p => p.Collateral)
            .Concat(plans.Where(p => p.Morpho is not null).Select(p => new PositionLeg(d.MorphoMarkets[p.Morpho!.Market].CollateralSymbol, p.Morpho.Collateral))));
        foreach (var (symbol, total) in collateral)
        {
            await chain.SendAsync(Funder, d.Tokens[symbol], Abi.Call("mint(uint256)", total), $"funder mint {symbol}").ConfigureAwait(false);
            await chain.SendAsync(Funder, d.Tokens[symbol], Abi.Call("approve(address,uint256)", d.Pool, max), $"funder approve Pool {symbol}").ConfigureAwait(false);
            await chain.SendAsync(Funder, d.Tokens[symbol], Abi.Call("approve(address,uint256)", d.Morpho, max), $"funder approve Morpho {symbol}").ConfigureAwait(false);
        }
        await chain.MineAsync().ConfigureAwait(false);
    }

    /// <summary>Sums amounts per symbol, in the fixed order of <see cref="AllReserves"/>.</summary>
    private static List<(string Symbol, BigInteger Total)> Sum(IEnumerable<PositionLeg> legs)
    {
        var totals = legs.GroupBy(l => l.Symbol).ToDictionary(g => g.Key, g => g.Aggregate(BigInteger.Zero, (s, l) => s + l.Amount));
        return AllReserves.Where(r => totals.ContainsKey(r.Symbol)).Select(r => (r.Symbol, totals[r.Symbol])).ToList();
    }

    /// <summary>
    /// The funder supplies each borrower's collateral on their behalf (Aave <c>supply(…, onBehalfOf)</c>,
    /// Morpho <c>supplyCollateral(…, onBehalf)</c>: the first supply enables it as collateral), then the
    /// borrower (impersonated, gas price 0) enters e-mode if planned and borrows at variable rate. A block's
    /// transactions are pipelined on one connection (<see cref="ChainWriter.Queue"/>): a 100,000-borrower book is 300,000 of them.
    /// </summary>
    private static async Task OpenPositionsAsync(ChainWriter chain, Deployed d, IReadOnlyList<BorrowerPlan> plans, bool eModeFirst, Action<string> report, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < plans.Count; i++)
        {
            var p = plans[i];
            ct.ThrowIfCancellationRequested();
            if (i > 0 && i % 5000 == 0) report($"opened {i:N0} of {plans.Count:N0} borrowers ({chain.Transactions:N0} transactions, {i / clock.Elapsed.TotalSeconds:0} borrowers/s)");
            if (p.EMode && eModeFirst)
                chain.Queue(p.Address, d.Pool, Abi.Call("setUserEMode(uint8)", EModeId), $"setUserEMode {p.Address}");
            foreach (var leg in p.Collateral)
                chain.Queue(Funder, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", d.Tokens[leg.Symbol], leg.Amount, p.Address, 0), $"supply {leg.Symbol} for {p.Address}");
            if (p.EMode && !eModeFirst)
                chain.Queue(p.Address, d.Pool, Abi.Call("setUserEMode(uint8)", EModeId), $"setUserEMode {p.Address}");
            foreach (var leg in p.Debt)
                chain.Queue(p.Address, d.Pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", d.Tokens[leg.Symbol], leg.Amount, 2, 0, p.Address), $"borrow {leg.Symbol} by {p.Address}");
            if (p.Morpho is { } m)
            {
                var mp = d.MarketParams[m.Market];
                chain.Queue(Funder, d.Morpho, Data(new SupplyCollateralFunction { MarketParams = mp, Assets = m.Collateral, OnBehalf = p.Address }), $"Morpho supplyCollateral for {p.Address}");
                chain.Queue(p.Address, d.Morpho, Data(new BorrowFunction { MarketParams = mp, Assets = m.Borrow, OnBehalf = p.Address, Receiver = p.Address }), $"Morpho borrow by {p.Address}");
            }
            if (chain.PendingCount >= TxsPerBlock) await chain.MineAsync().ConfigureAwait(false);
        }
        await chain.MineAsync().ConfigureAwait(false);
    }

    /// <summary>Reads Pool.getUserAccountData (HF: 6th word, wad) for every Aave borrower in JSON-RPC batches.</summary>
    private static async Task<FixtureHealthSummary> SummarizeHealthAsync(ChainWriter chain, Deployed d, IReadOnlyList<BorrowerPlan> plans)
    {
        var aave = plans.Where(p => p.HasAave).ToList();
        var hfs = new List<double>(aave.Count);
        foreach (var chunk in aave.Chunk(200))
        {
            var calls = chunk.Select(p => ("eth_call", new object?[]
            {
                new Dictionary<string, object> { ["to"] = d.Pool, ["data"] = Abi.Call("getUserAccountData(address)", p.Address) }, "latest",
            })).ToList();
            foreach (var result in await chain.Node.Rpc.BatchAsync(calls).ConfigureAwait(false))
                hfs.Add((double)Abi.UIntAt(result.GetString()!, 5) / 1e18);
        }
        hfs.Sort();
        var morpho = plans.Count(p => p.Morpho is not null);
        var both = plans.Count(p => p.HasAave && p.Morpho is not null);
        if (hfs.Count == 0) return new FixtureHealthSummary(0, morpho, both, 0, 0, 0, 0, 0);
        return new FixtureHealthSummary(aave.Count, morpho, both,
            hfs.Count(h => h < 1.0), hfs.Count(h => h > 1.0 && h < 1.1), hfs[0], hfs[hfs.Count / 2], hfs[^1]);
    }
}
