using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>How a call's repayment was funded: by flash loans (the fee, how many lenders), by own funds (no lender has the asset), or not at all.</summary>
public readonly record struct FlashQuote(bool Funded, BigInteger Fee, int Lenders)
{
    /// <summary>No lender lends the asset: the liquidator's own funds, no cost (as before flash loans were modelled).</summary>
    public static FlashQuote OwnFunds => new(true, BigInteger.Zero, 0);
}

/// <summary>The fast twin of <see cref="FlashQuote"/>.</summary>
public readonly record struct FastFlashQuote(bool Funded, double Fee, int Lenders);

/// <summary>
/// Every flash lender of a snapshot, per asset: one source per (book, holder) that lends it, cheapest first (fee, then
/// book, then holder). Immutable; <see cref="Start"/> and <see cref="StartFast"/> give a cascade its own balances.
/// <para>
/// Funding a call (issue 12 item 4): the cheapest single source whose balance covers the repayment; else the sources
/// together, cheapest first, each up to its balance (a liquidator nests the flash loans; each loan beyond the first costs
/// one extra leg's gas, <see cref="Analysis.LiquidatorModel.LegGasCostUsd"/>, ≈ 100,000 gas); else the call is not made ("no flash-loan liquidity"), never silently funded for free. An asset
/// no lender lends is repaid from the liquidator's own funds at no cost.
/// </para>
/// <para>
/// Balances during a cascade: a flash loan is repaid in the same transaction, so it leaves the lender's balance as it
/// was; what moves it is the liquidations on the lender itself — a liquidation on holder h of book b pays the debt asset
/// into that holder (+ repaid) and takes the seized collateral out of it (− seized, Aave with <c>receiveAToken = false</c>,
/// Morpho always). So a later call can find the collateral asset's lender drained by earlier seizures.
/// </para>
/// </summary>
public sealed class FlashLenders
{
    private readonly Source[][] _byAsset;
    private readonly Dictionary<(int Book, int Holder, int Asset), int> _slot = [];

    internal readonly record struct Source(int Book, int Holder, FlashLoanOffer Offer);

    public FlashLenders(Snapshot snapshot)
    {
        var n = snapshot.Assets.Count;
        _byAsset = new Source[n][];
        for (var a = 0; a < n; a++)
        {
            var list = new List<Source>();
            for (var b = 0; b < snapshot.Books.Count; b++)
            {
                if (snapshot.Books[b] is not IFlashLender lender) continue;
                var offers = lender.FlashLoans(snapshot.Assets[a].Address);
                for (var h = 0; h < offers.Count; h++)
                    if (offers[h] is { } o) list.Add(new Source(b, h, o));
            }
            _byAsset[a] = list.OrderBy(s => s.Offer.FeeBps).ThenBy(s => s.Book).ThenBy(s => s.Holder).ToArray();
            for (var i = 0; i < _byAsset[a].Length; i++) _slot[(_byAsset[a][i].Book, _byAsset[a][i].Holder, a)] = i;
        }
    }

    /// <summary>A cascade's exact balances, at the snapshot's.</summary>
    public FlashFunding Start() => new(this, _byAsset);

    /// <summary>A fast cascade's balances (one per run: workers share nothing).</summary>
    public FastFlashFunding StartFast() => new(this, _byAsset);

    internal bool TrySlot(int book, int holder, int asset, out int slot) => _slot.TryGetValue((book, holder, asset), out slot);
}

/// <summary>The exact balances of one cascade's flash lenders (base units; null = no known limit). Not shared.</summary>
public sealed class FlashFunding
{
    private readonly FlashLenders _lenders;
    private readonly FlashLenders.Source[][] _sources;
    private readonly BigInteger?[][] _balance;

    internal FlashFunding(FlashLenders lenders, FlashLenders.Source[][] sources)
    {
        (_lenders, _sources) = (lenders, sources);
        _balance = sources.Select(s => s.Select(x => x.Offer.Available).ToArray()).ToArray();
    }

    /// <summary>What lender <paramref name="slot"/> of <paramref name="asset"/> lends now (null = no known limit).</summary>
    public BigInteger? Balance(int asset, int slot) => _balance[asset][slot];

    /// <summary>How repaying <paramref name="amount"/> of <paramref name="asset"/> is funded now. Moves nothing.</summary>
    public FlashQuote Quote(int asset, BigInteger amount)
    {
        var sources = _sources[asset];
        if (sources.Length == 0) return FlashQuote.OwnFunds;
        var balance = _balance[asset];
        for (var i = 0; i < sources.Length; i++)
            if (balance[i] is not { } max || max >= amount) return new(true, sources[i].Offer.Fee(amount), 1);
        // No single lender holds enough: nested loans, cheapest first, each up to its balance (all limited here).
        BigInteger left = amount, fee = 0;
        var used = 0;
        for (var i = 0; i < sources.Length && left.Sign > 0; i++)
        {
            var part = BigInteger.Min(left, BigInteger.Max(BigInteger.Zero, balance[i]!.Value));
            if (part.IsZero) continue;
            fee += sources[i].Offer.Fee(part);
            left -= part;
            used++;
        }
        return left.Sign > 0 ? new(false, BigInteger.Zero, used) : new(true, fee, used);
    }

    /// <summary>A liquidation on holder <paramref name="holder"/> of book <paramref name="book"/>: the debt paid in, the seized collateral taken out.</summary>
    public void Liquidated(int book, int holder, int debt, BigInteger repaid, int collateral, BigInteger seized)
    {
        if (_lenders.TrySlot(book, holder, debt, out var d) && _balance[debt][d] is { } bd) _balance[debt][d] = bd + repaid;
        if (_lenders.TrySlot(book, holder, collateral, out var c) && _balance[collateral][c] is { } bc) _balance[collateral][c] = bc - seized;
    }
}

/// <summary>The fast twin of <see cref="FlashFunding"/>: the same rule on doubles (whole base units; +∞ = no known limit).</summary>
public sealed class FastFlashFunding
{
    private readonly FlashLenders _lenders;
    private readonly FlashLenders.Source[][] _sources;
    private readonly double[][] _balance;

    internal FastFlashFunding(FlashLenders lenders, FlashLenders.Source[][] sources)
    {
        (_lenders, _sources) = (lenders, sources);
        _balance = sources.Select(s => s.Select(x => x.Offer.Available is { } v ? (double)v : double.PositiveInfinity).ToArray()).ToArray();
    }

    public FastFlashQuote Quote(int asset, double amount)
    {
        var sources = _sources[asset];
        if (sources.Length == 0) return new(true, 0, 0);
        var balance = _balance[asset];
        for (var i = 0; i < sources.Length; i++)
            if (balance[i] >= amount) return new(true, sources[i].Offer.Fee(amount), 1);
        double left = amount, fee = 0;
        var used = 0;
        for (var i = 0; i < sources.Length && left > 0; i++)
        {
            var part = Math.Min(left, Math.Max(0, balance[i]));
            if (part <= 0) continue;
            fee += sources[i].Offer.Fee(part);
            left -= part;
            used++;
        }
        return left > 0 ? new(false, 0, used) : new(true, fee, used);
    }

    public void Liquidated(int book, int holder, int debt, double repaid, int collateral, double seized)
    {
        if (_lenders.TrySlot(book, holder, debt, out var d)) _balance[debt][d] += repaid;
        if (_lenders.TrySlot(book, holder, collateral, out var c)) _balance[collateral][c] -= seized;
    }
}
