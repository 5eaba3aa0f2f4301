using System.Numerics;
using DefiRisk.Chain.Protocols.MorphoBlue;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Chain.Tests.Protocols.MorphoBlue;

/// <summary>A token only on Morpho gets its USD price through a market's oracle from whichever side has one.</summary>
public sealed class MorphoTokenPriceTests
{
    // WETH/USDC at $2,500: price() = 2500e6 USDC units per 1e18 WETH units × 1e36 = 2.5e27.
    private static readonly MorphoBlueMarket WethUsdc = new("0x01", Address.Parse("0x00000000000000000000000000000000000000a1"),
        Address.Parse("0x00000000000000000000000000000000000000a2"), Address.Zero, Address.Zero, 0, 0, 0, 0, 0, 0, 0, BigInteger.Parse("2500000000000000000000000000"));

    [Fact]
    public void A_collateral_only_on_morpho_is_priced_from_the_loan_side()
    {
        Assert.Equal(new BigInteger(250_000_000_000), MorphoBlueAdapter.CollateralUsd8(WethUsdc, 100_000_000, 18, 6));
    }

    [Fact]
    public void A_token_seen_only_as_a_loan_is_priced_from_the_collateral_side_instead_of_zero()
    {
        Assert.Equal(new BigInteger(100_000_000), MorphoBlueAdapter.LoanUsd8(WethUsdc, 250_000_000_000, 18, 6));
    }
}
