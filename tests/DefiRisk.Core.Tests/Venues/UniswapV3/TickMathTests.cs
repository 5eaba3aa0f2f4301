using System.Globalization;
using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Core.Tests.Venues.UniswapV3;

// Expected values are the ones Uniswap/v3-core asserts in test/TickMath.spec.ts and its snapshot file.
public sealed class TickMathTests
{
    private static BigInteger N(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(TickMath.MinTick, "4295128739")]
    [InlineData(TickMath.MinTick + 1, "4295343490")]
    [InlineData(TickMath.MaxTick - 1, "1461373636630004318706518188784493106690254656249")]
    [InlineData(TickMath.MaxTick, "1461446703485210103287273052203988822378723970342")]
    [InlineData(0, "79228162514264337593543950336")]
    [InlineData(-50, "79030349367926598376800521322")]
    [InlineData(50, "79426470787362580746886972461")]
    [InlineData(-1000, "75364347830767020784054125655")]
    [InlineData(1000, "83290069058676223003182343270")]
    [InlineData(-500000, "1101692437043807371")]
    [InlineData(-738203, "7409801140451")]
    public void GetSqrtRatioAtTick_equals_the_value_v3_core_asserts(int tick, string expected) =>
        Assert.Equal(N(expected), TickMath.GetSqrtRatioAtTick(tick));

    [Fact]
    public void The_end_ticks_give_MIN_SQRT_RATIO_and_MAX_SQRT_RATIO()
    {
        Assert.Equal(TickMath.MinSqrtRatio, TickMath.GetSqrtRatioAtTick(TickMath.MinTick));
        Assert.Equal(TickMath.MaxSqrtRatio, TickMath.GetSqrtRatioAtTick(TickMath.MaxTick));
    }

    [Theory]
    [InlineData(TickMath.MinTick - 1)]
    [InlineData(TickMath.MaxTick + 1)]
    public void A_tick_outside_the_range_reverts_T(int tick) =>
        Assert.Equal("T", Assert.Throws<UniswapV3RevertException>(() => TickMath.GetSqrtRatioAtTick(tick)).Reason);

    [Theory]
    [InlineData("4295128739", TickMath.MinTick)]
    [InlineData("4295343490", TickMath.MinTick + 1)]
    [InlineData("1461373636630004318706518188784493106690254656249", TickMath.MaxTick - 1)]
    [InlineData("1461446703485210103287273052203988822378723970341", TickMath.MaxTick - 1)]
    [InlineData("79228162514264337593543950336", 0)]
    [InlineData("79228162514264337593543950335", -1)]
    public void GetTickAtSqrtRatio_equals_the_value_v3_core_asserts(string sqrtPrice, int expected) =>
        Assert.Equal(expected, TickMath.GetTickAtSqrtRatio(N(sqrtPrice)));

    [Fact]
    public void GetTickAtSqrtRatio_is_the_greatest_tick_whose_ratio_is_at_most_the_price()
    {
        var random = new Random(12);
        for (var i = 0; i < 2000; i++)
        {
            var tick = random.Next(TickMath.MinTick + 1, TickMath.MaxTick - 1);
            var at = TickMath.GetSqrtRatioAtTick(tick);
            var next = TickMath.GetSqrtRatioAtTick(tick + 1);
            Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(at));
            Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(next - 1));
            Assert.Equal(tick + 1, TickMath.GetTickAtSqrtRatio(next));
        }
    }

    [Fact]
    public void A_price_outside_the_range_reverts_R()
    {
        Assert.Equal("R", Assert.Throws<UniswapV3RevertException>(() => TickMath.GetTickAtSqrtRatio(TickMath.MinSqrtRatio - 1)).Reason);
        Assert.Equal("R", Assert.Throws<UniswapV3RevertException>(() => TickMath.GetTickAtSqrtRatio(TickMath.MaxSqrtRatio)).Reason);
    }
}
