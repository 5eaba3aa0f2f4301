namespace DefiRisk.Chain.Tests.Golden;

/// <summary>The golden comparison can fail: each kind of difference is found and named by its JSON path.</summary>
[Trait("Category", "Golden")]
public sealed class GoldenJsonTests
{
    private const string Expected = """{ "rounds": [ { "round": 0, "liquidations": [ { "debtRepaid": "123", "count": 7, "usd": 1000.5 } ] } ], "ok": true }""";

    [Fact]
    public void An_integer_that_differs_is_reported_with_its_path_and_both_values()
    {
        var d = Assert.Single(GoldenJson.Compare(Expected, Expected.Replace("\"count\": 7", "\"count\": 8")));
        Assert.Equal("$.rounds[0].liquidations[0].count: expected 7 got 8", d.ToString());
    }

    [Fact]
    public void A_decimal_string_that_differs_by_one_is_reported()
    {
        var d = Assert.Single(GoldenJson.Compare(Expected, Expected.Replace("\"123\"", "\"124\"")));
        Assert.Equal("$.rounds[0].liquidations[0].debtRepaid: expected \"123\" got \"124\"", d.ToString());
    }

    [Fact]
    public void A_double_beyond_1e_12_relative_is_reported()
    {
        // 1000.5 × (1 + 1e-11): ten times the tolerance.
        var d = Assert.Single(GoldenJson.Compare(Expected, Expected.Replace("1000.5", "1000.500000010005")));
        Assert.Equal("$.rounds[0].liquidations[0].usd", d.Path);
    }

    [Fact]
    public void A_double_within_1e_12_relative_is_equal()
    {
        // 1000.5 × (1 + 1e-13).
        Assert.Empty(GoldenJson.Compare(Expected, Expected.Replace("1000.5", "1000.5000000000001")));
    }

    [Fact]
    public void Zero_only_equals_zero()
    {
        Assert.True(GoldenJson.Close(0, 0));
        Assert.False(GoldenJson.Close(0, 1e-300));
    }

    [Fact]
    public void Keys_in_another_order_are_reported_at_their_object()
    {
        var reordered = Expected.Replace("\"round\": 0, \"liquidations\": [ { \"debtRepaid\": \"123\", \"count\": 7, \"usd\": 1000.5 } ]",
            "\"liquidations\": [ { \"debtRepaid\": \"123\", \"count\": 7, \"usd\": 1000.5 } ], \"round\": 0");
        var d = Assert.Single(GoldenJson.Compare(Expected, reordered));
        Assert.Equal("$.rounds[0]", d.Path);
        Assert.Equal("keys round,liquidations", d.Expected);
        Assert.Equal("keys liquidations,round", d.Actual);
    }

    [Fact]
    public void A_shorter_array_and_a_changed_boolean_are_both_counted_and_the_first_is_named()
    {
        var changed = Expected.Replace("\"rounds\": [ { \"round\": 0, \"liquidations\": [ { \"debtRepaid\": \"123\", \"count\": 7, \"usd\": 1000.5 } ] } ]", "\"rounds\": []")
            .Replace("true", "false");
        var differences = GoldenJson.Compare(Expected, changed);
        Assert.Equal(2, differences.Count);
        Assert.Equal("$.rounds: expected 1 elements got 0 elements", differences[0].ToString());
        Assert.Equal("$.ok", differences[1].Path);
        var failure = Assert.ThrowsAny<Exception>(() => GoldenJson.AssertMatches(Expected, changed, "case"));
        Assert.Contains("2 difference(s)", failure.Message);
        Assert.Contains("$.rounds: expected 1 elements got 0 elements", failure.Message);
    }

    [Fact]
    public void Identical_documents_have_no_difference() => Assert.Empty(GoldenJson.Compare(Expected, Expected));
}
