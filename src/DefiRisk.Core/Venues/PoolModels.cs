using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Venues;

/// <summary>
/// The liquidity-venue seam: a pool the cascade can sell into. It hands out a fresh mutable state per cascade, exact
/// (integers, the contract's rounding) and fast (doubles, the same formulas); each venue kind's folder
/// (<c>Venues/&lt;Kind&gt;/</c>) holds both, side by side, with a differential test.
/// </summary>
public interface ITradablePool : IPool
{
    ExactPoolState StartExact();
    FastPoolState StartFast();
}

/// <summary>A pool's state during one exact cascade (mutable; one instance per pool per run).</summary>
public abstract class ExactPoolState
{
    /// <summary>Output (base units of the other token) of an exact-input sale of <paramref name="amountIn"/>; with
    /// <paramref name="commit"/> the pool's state moves as the swap would move it.</summary>
    public abstract BigInteger Swap(BigInteger amountIn, bool zeroForOne, bool commit);

    /// <summary>Marginal price, token out per token in, as a fraction (before fees): what the market price follows.</summary>
    public abstract (BigInteger Numerator, BigInteger Denominator) Spot(bool zeroForOne);

    /// <summary>
    /// How far above <see cref="Spot"/> a sale's fill per unit can be from this state, as a factor: no sale of x pays more than
    /// x × Spot × this (what calls sized for profit bound their earnings with). 1 for an AMM, whose output never beats its
    /// marginal price; a book that has been traded the other way fills the first units at the far side of its spread.
    /// </summary>
    public virtual double SpotCeilingFactor(bool zeroForOne) => 1;

    /// <summary>Arbitrage after an exogenous move: the price of one token (token0 when <paramref name="assetIsToken0"/>)
    /// in the other moves by <paramref name="numerator"/>/<paramref name="denominator"/>.</summary>
    public abstract void Reprice(bool assetIsToken0, BigInteger numerator, BigInteger denominator);

    /// <summary>The state as results and replays report it (serialized as JSON by its runtime type).</summary>
    public abstract object Report();

    /// <summary>The state now, to put back with <see cref="Restore"/>: best execution tries a split on the pools and undoes it.
    /// Virtual so a venue written before best execution still compiles; it must override all three members below to be
    /// split over or priced by one market price (the default refuses by the venue's type name).</summary>
    public virtual object Mark() => throw Unsupported(nameof(Mark));

    /// <summary>Back to a state <see cref="Mark"/> returned.</summary>
    public virtual void Restore(object mark) => throw Unsupported(nameof(Restore));

    internal DefiRiskException Unsupported(string member) =>
        new($"venue state {GetType().Name} does not implement {member}: it cannot take split sales or one market price yet (run with --market replay)");

    /// <summary>
    /// The pool's depth at its current price as a constant-product pool would have it: the reserve of token0 (or token1),
    /// base units — a v2 pair's reserve, a v3 pool's in-range virtual reserve (L/√P or L·√P). What one market price weighs venues by.
    /// </summary>
    public virtual BigInteger VirtualReserve(bool token0) => throw Unsupported(nameof(VirtualReserve));
}

/// <summary>A pool's state during fast cascades (one per pool per worker; <see cref="Reset"/> between cascades).</summary>
public abstract class FastPoolState
{
    public abstract double Swap(double amountIn, bool zeroForOne, bool commit);

    /// <summary>The marginal price now ÷ at the snapshot (token out per token in).</summary>
    public abstract double PriceMove(bool zeroForOne);

    /// <summary>The fast form of <see cref="ExactPoolState.SpotCeilingFactor"/>.</summary>
    public virtual double SpotCeilingFactor(bool zeroForOne) => 1;

    /// <summary>Arbitrage after an exogenous move of one token's price in the other by <paramref name="factor"/>.</summary>
    public abstract void Reprice(bool assetIsToken0, double factor);

    /// <summary>Back to the snapshot state.</summary>
    public abstract void Reset();

    /// <summary>The state now, to put back with <see cref="Restore"/> (as <see cref="ExactPoolState.Mark"/>; virtual for the same reason).</summary>
    public virtual object Mark() => throw Unsupported(nameof(Mark));

    /// <summary>Back to a state <see cref="Mark"/> returned.</summary>
    public virtual void Restore(object mark) => throw Unsupported(nameof(Restore));

    /// <summary>The fast form of <see cref="ExactPoolState.VirtualReserve"/>.</summary>
    public virtual double VirtualReserve(bool token0) => throw Unsupported(nameof(VirtualReserve));

    private DefiRiskException Unsupported(string member) =>
        new($"venue state {GetType().Name} does not implement {member}: it cannot take split sales or one market price yet (run with --market replay)");
}
