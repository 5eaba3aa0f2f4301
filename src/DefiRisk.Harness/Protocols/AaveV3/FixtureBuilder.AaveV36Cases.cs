using System.Numerics;
using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>
/// Aave v3.6 cases beyond the seeded population: an isolated collateral with a debt ceiling, and a collateral reserve at
/// 100 % utilisation (no cash to withdraw when it is seized). Opened at the opening prices, after the seeded borrowers,
/// with liquidity of their own so the seeded reserves' utilisation is unchanged.
/// </summary>
public sealed partial class FixtureBuilder
{
    // Computed (not static fields): AllReserves, in another file of this partial class, is initialised from them.
    /// <summary>3.6 only: a collateral that may only be borrowed against in isolation mode, up to <see cref="IsolatedDebtCeiling"/>.</summary>
    internal static ReserveSpec IsolatedReserve => new("ISO", "Isolated Collateral Token", 18, 5000, 6500, 10800, 2000, 20m);

    /// <summary>3.6 only: a collateral whose every unit of cash is borrowed (100 % utilisation). Its bonus is the highest of the
    /// listed collaterals, so a liquidator tries it first.</summary>
    internal static ReserveSpec DrainedReserve => new("ILQ", "Illiquid Collateral Token", 18, 6500, 7500, 10750, 2000, 100m);

    /// <summary>Debt ceiling of <see cref="IsolatedReserve"/>: $2,000,000.00 (USD with 2 decimals, <c>setDebtCeiling</c>).</summary>
    internal static readonly BigInteger IsolatedDebtCeiling = 200_000_000;

    /// <summary>Target health factors (at the final prices) of the isolated borrowers and of the borrowers against the drained reserve.</summary>
    internal static readonly double[] CaseHealthFactors = [1.02, 1.05, 1.10, 1.30];

    /// <summary>Collateral of each case borrower, USD at the final prices.</summary>
    private const double CaseSizeUsd = 60_000;

    private static string CaseAddress(string kind, int i) => "0x" + Sha3Keccack.Current.CalculateHash($"defirisk-aave36-case:{kind}:{i}")[24..];

    /// <summary>The accounts the cases open: isolated borrowers, borrowers against the drained reserve, and the account that drains it.</summary>
    internal static IReadOnlyList<string> CaseAccounts =>
        [.. CaseHealthFactors.Select((_, i) => CaseAddress("isolated", i)), .. CaseHealthFactors.Select((_, i) => CaseAddress("illiquid", i)), CaseAddress("drainer", 0)];

    private async Task OpenAaveV36CasesAsync(ChainWriter chain, Deployed d)
    {
        var max = (BigInteger.One << 256) - 1;
        string iso = d.Tokens[IsolatedReserve.Symbol], ilq = d.Tokens[DrainedReserve.Symbol], usdc = d.Tokens["USDC"], weth = d.Tokens["WETH"];
        // Isolation mode: the ceiling must be set while the reserve has no suppliers; USDC may be borrowed against it.
        await chain.SendAsync(Admin, d.Configurator, Abi.Call("setDebtCeiling(address,uint256)", iso, IsolatedDebtCeiling), "setDebtCeiling ISO").ConfigureAwait(false);
        await chain.SendAsync(Admin, d.Configurator, Abi.Call("setBorrowableInIsolation(address,bool)", usdc, true), "setBorrowableInIsolation USDC").ConfigureAwait(false);

        // Amounts at the final prices; the positions open at the opening prices (1.5× for ISO, ILQ and WETH), within LTV.
        var isoLegs = CaseHealthFactors.Select(hf => (Coll: Units((decimal)(CaseSizeUsd / (double)IsolatedReserve.PriceUsd), 18),
            Debt: Units((decimal)(CaseSizeUsd * IsolatedReserve.LiquidationThreshold / 10_000.0 / hf), 6))).ToList();
        // Against the drained reserve: 70 % ILQ, and for the first two also 30 % WETH (another collateral a liquidator can take).
        var ilqLegs = CaseHealthFactors.Select((hf, i) =>
        {
            var wethShare = i < 2 ? 0.3 : 0.0;
            var power = CaseSizeUsd * (1 - wethShare) * DrainedReserve.LiquidationThreshold / 10_000.0 + CaseSizeUsd * wethShare * Reserves[0].LiquidationThreshold / 10_000.0;
            return (Ilq: Units((decimal)(CaseSizeUsd * (1 - wethShare) / (double)DrainedReserve.PriceUsd), 18),
                Weth: Units((decimal)(CaseSizeUsd * wethShare / (double)Reserves[0].PriceUsd), 18), Debt: Units((decimal)(power / hf), 6));
        }).ToList();

        var usdcBorrowed = isoLegs.Aggregate(BigInteger.Zero, (s, l) => s + l.Debt) + ilqLegs.Aggregate(BigInteger.Zero, (s, l) => s + l.Debt);
        var usdcLiquidity = usdcBorrowed * 5 / 4 + BigInteger.One;
        await chain.SendAsync(Lender, usdc, Abi.Call("mint(uint256)", usdcLiquidity), "lender mint USDC for the cases").ConfigureAwait(false);
        await chain.SendAsync(Lender, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", usdc, usdcLiquidity, Lender, 0), "lender supply USDC for the cases").ConfigureAwait(false);
        foreach (var (token, amount) in new[] { (iso, isoLegs.Aggregate(BigInteger.Zero, (s, l) => s + l.Coll)), (ilq, ilqLegs.Aggregate(BigInteger.Zero, (s, l) => s + l.Ilq)), (weth, ilqLegs.Aggregate(BigInteger.Zero, (s, l) => s + l.Weth)) })
        {
            await chain.SendAsync(Funder, token, Abi.Call("mint(uint256)", amount), "funder mint for the cases").ConfigureAwait(false);
            await chain.SendAsync(Funder, token, Abi.Call("approve(address,uint256)", d.Pool, max), "funder approve Pool").ConfigureAwait(false);
        }

        for (var i = 0; i < isoLegs.Count; i++)
        {
            var user = CaseAddress("isolated", i);
            await chain.SendAsync(Funder, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", iso, isoLegs[i].Coll, user, 0), $"supply ISO for {user}").ConfigureAwait(false);
            // An isolated asset supplied by someone without ISOLATED_COLLATERAL_SUPPLIER_ROLE is not enabled as collateral: the
            // borrower enables it (allowed as its only collateral), which puts the account in isolation mode.
            await chain.SendAsync(user, d.Pool, Abi.Call("setUserUseReserveAsCollateral(address,bool)", iso, true), $"use ISO as collateral {user}").ConfigureAwait(false);
            await chain.SendAsync(user, d.Pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", usdc, isoLegs[i].Debt, 2, 0, user), $"isolated borrow by {user}").ConfigureAwait(false);
        }
        for (var i = 0; i < ilqLegs.Count; i++)
        {
            var user = CaseAddress("illiquid", i);
            await chain.SendAsync(Funder, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", ilq, ilqLegs[i].Ilq, user, 0), $"supply ILQ for {user}").ConfigureAwait(false);
            if (!ilqLegs[i].Weth.IsZero)
                await chain.SendAsync(Funder, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", weth, ilqLegs[i].Weth, user, 0), $"supply WETH for {user}").ConfigureAwait(false);
            await chain.SendAsync(user, d.Pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", usdc, ilqLegs[i].Debt, 2, 0, user), $"borrow against ILQ by {user}").ConfigureAwait(false);
        }
        await chain.MineAsync().ConfigureAwait(false);

        // The drainer borrows every unit of ILQ's cash against USDC collateral (worth 3× the ILQ at the opening price).
        var drainer = CaseAddress("drainer", 0);
        var cash = Abi.UIntAt(await chain.CallAsync(d.Pool, Abi.Call("getVirtualUnderlyingBalance(address)", ilq)).ConfigureAwait(false), 0);
        var backing = Units((decimal)((double)cash / 1e18 * (double)OpeningPrice(DrainedReserve) * 3), 6);
        await chain.SendAsync(Funder, usdc, Abi.Call("mint(uint256)", backing), "funder mint USDC for the drainer").ConfigureAwait(false);
        await chain.SendAsync(Funder, usdc, Abi.Call("approve(address,uint256)", d.Pool, max), "funder approve Pool USDC").ConfigureAwait(false);
        await chain.SendAsync(Funder, d.Pool, Abi.Call("supply(address,uint256,address,uint16)", usdc, backing, drainer, 0), "supply USDC for the drainer").ConfigureAwait(false);
        await chain.SendAsync(drainer, d.Pool, Abi.Call("borrow(address,uint256,uint256,uint16,address)", ilq, cash, 2, 0, drainer), "drain ILQ").ConfigureAwait(false);
        await chain.MineAsync().ConfigureAwait(false);
        var left = Abi.UIntAt(await chain.CallAsync(d.Pool, Abi.Call("getVirtualUnderlyingBalance(address)", ilq)).ConfigureAwait(false), 0);
        if (!left.IsZero) throw new InvalidOperationException($"the drained reserve ILQ still has {left} of cash");
    }
}
