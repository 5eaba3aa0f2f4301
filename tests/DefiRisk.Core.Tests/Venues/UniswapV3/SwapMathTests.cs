using System.Globalization;
using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Core.Tests.Venues.UniswapV3;

// Expected values are the ones Uniswap/v3-core asserts in test/SqrtPriceMath.spec.ts and test/SwapMath.spec.ts.
// Their encodePriceSqrt(a, b) is ⌊√(a/b)·2^96⌋.
public sealed class SwapMathTests
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    /// <summary>encodePriceSqrt(101, 100).</summary>
    private static readonly BigInteger Price101Over100 = N("79623317895830914510639640423");
    /// <summary>encodePriceSqrt(121, 100) = 1.1·2^96, floored.</summary>
    private static readonly BigInteger Price121Over100 = N("87150978765690771352898345369");

    private static BigInteger N(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void GetAmount0Delta_from_price_1_to_1_21_at_liquidity_1e18_is_0_0909_rounded_up_and_one_less_down()
    {
        Assert.Equal(N("90909090909090910"), SqrtPriceMath.GetAmount0Delta(Q96, Price121Over100, E18, roundUp: true));
        Assert.Equal(N("90909090909090909"), SqrtPriceMath.GetAmount0Delta(Q96, Price121Over100, E18, roundUp: false));
    }

    [Fact]
    public void GetAmount1Delta_from_price_1_to_1_21_at_liquidity_1e18_is_0_1_rounded_up_and_one_less_down()
    {
        Assert.Equal(N("100000000000000000"), SqrtPriceMath.GetAmount1Delta(Q96, Price121Over100, E18, roundUp: true));
        Assert.Equal(N("99999999999999999"), SqrtPriceMath.GetAmount1Delta(Q96, Price121Over100, E18, roundUp: false));
    }

    [Fact]
    public void GetNextSqrtPriceFromInput_matches_v3_core_where_the_intermediate_product_of_prices_overflows()
    {
        var sqrtP = N("1025574284609383690408304870162715216695788925244");
        var liquidity = N("50015962439936049619261659728067971248");
        Assert.Equal(N("1025574284609383582644711336373707553698163132913"), SqrtPriceMath.GetNextSqrtPriceFromInput(sqrtP, liquidity, 406, zeroForOne: true));
    }

    [Fact]
    public void Adding_token0_takes_the_contract_s_coarser_form_when_amount_times_price_overflows_256_bits()
    {
        var sqrtP = TickMath.MaxSqrtRatio - 1;
        var amount = BigInteger.One << 100;
        Assert.True(amount * sqrtP > FullMath.MaxUInt256);
        var numerator = E18 << 96;
        var coarse = (numerator + (numerator / sqrtP + amount) - 1) / (numerator / sqrtP + amount);
        Assert.Equal(coarse, SqrtPriceMath.GetNextSqrtPriceFromAmount0RoundingUp(sqrtP, E18, amount, add: true));
    }

    [Fact]
    public void GetNextSqrtPriceFromOutput_reverts_when_the_output_is_the_whole_virtual_reserve_and_not_one_unit_less()
    {
        // v3-core: price 2^14·2^96 (P = 2^28), L = 1024: virtual reserves are 4 token0 and 262,144 token1.
        var price = N("20282409603651670423947251286016");
        Assert.Throws<UniswapV3RevertException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 4, zeroForOne: false));
        Assert.Throws<UniswapV3RevertException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 262144, zeroForOne: true));
        Assert.Equal(N("77371252455336267181195264"), SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 262143, zeroForOne: true));
    }

    [Fact]
    public void ComputeSwapStep_exact_input_capped_at_the_target_one_for_zero_matches_v3_core()
    {
        var step = SwapMath.ComputeSwapStep(Q96, Price101Over100, 2 * E18, E18, 600);
        Assert.Equal(N("9975124224178055"), step.AmountIn);
        Assert.Equal(N("5988667735148"), step.FeeAmount);
        Assert.Equal(N("9925619580021728"), step.AmountOut);
        Assert.Equal(Price101Over100, step.SqrtRatioNextX96);
    }

    [Fact]
    public void ComputeSwapStep_exact_output_capped_at_the_target_one_for_zero_matches_v3_core()
    {
        var step = SwapMath.ComputeSwapStep(Q96, Price101Over100, 2 * E18, -E18, 600);
        Assert.Equal(N("9975124224178055"), step.AmountIn);
        Assert.Equal(N("5988667735148"), step.FeeAmount);
        Assert.Equal(N("9925619580021728"), step.AmountOut);
        Assert.Equal(Price101Over100, step.SqrtRatioNextX96);
    }

    [Fact]
    public void ComputeSwapStep_exact_input_that_stops_short_charges_the_whole_remainder_beyond_amountIn_as_fee()
    {
        // v3-core: "exact amount in that is fully spent in one for zero" (target 1000/100).
        var target = N("250541448375047931186413801569"); // encodePriceSqrt(1000, 100)
        var step = SwapMath.ComputeSwapStep(Q96, target, 2 * E18, E18, 600);
        Assert.Equal(N("999400000000000000"), step.AmountIn);
        Assert.Equal(N("600000000000000"), step.FeeAmount);
        Assert.Equal(N("666399946655997866"), step.AmountOut);
        Assert.Equal(E18, step.AmountIn + step.FeeAmount);
        Assert.True(step.SqrtRatioNextX96 < target);
    }

    [Fact]
    public void MulDiv_reverts_where_FullMath_does()
    {
        Assert.Throws<UniswapV3RevertException>(() => FullMath.MulDiv(1, 1, 0));
        Assert.Throws<UniswapV3RevertException>(() => FullMath.MulDiv(FullMath.MaxUInt256, 2, 1));
        Assert.Equal(FullMath.MaxUInt256, FullMath.MulDiv(FullMath.MaxUInt256, FullMath.MaxUInt256, FullMath.MaxUInt256));
        Assert.Equal(new BigInteger(4), FullMath.MulDivRoundingUp(10, 1, 3));
        Assert.Throws<UniswapV3RevertException>(() => FullMath.MulDivRoundingUp(FullMath.MaxUInt256, FullMath.MaxUInt256, FullMath.MaxUInt256 - 1));
    }
}
