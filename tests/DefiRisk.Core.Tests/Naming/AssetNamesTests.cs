using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Naming;

/// <summary>Display names on a symbol clash, and what a typed name or address resolves to.</summary>
public sealed class AssetNamesTests
{
    // A look-alike "USDC" deployed by anyone, and two unlisted tokens that share "FOO".
    private static readonly Address SpamUsdc = Address.Parse("0xdeadbeef00000000000000000000000000000001");
    private static readonly Address FooA = Address.Parse("0xaaaaaa0000000000000000000000000000000001");
    private static readonly Address FooB = Address.Parse("0xbbbbbb0000000000000000000000000000000002");

    private static Asset Token(Address address, string symbol) => new(address, symbol, 18, Usd("1"), AssetOracle.MarketFeed(Address.Zero));

    private static IReadOnlyList<Asset> Named(IReadOnlySet<Address> listed, params Asset[] assets) => AssetNames.Assign(assets, listed);

    private static Snapshot SnapshotOf(IReadOnlyList<Asset> assets) => new(new ChainPoint(1, 100, 1_700_000_000), assets, [], []);

    [Fact]
    public void On_a_clash_the_listed_asset_keeps_the_bare_symbol_and_the_look_alike_gets_its_address_prefix()
    {
        var named = Named(new HashSet<Address> { Usdc, Weth }, Token(Usdc, "USDC"), Token(SpamUsdc, "USDC"), Token(Weth, "WETH"));

        Assert.Equal(["USDC", "USDC·0xdeadbe", "WETH"], named.Select(a => a.Symbol));
        Assert.Equal([Usdc, SpamUsdc, Weth], named.Select(a => a.Address)); // order and everything else kept
    }

    [Fact]
    public void Symbols_clash_case_insensitively_and_an_unshared_symbol_stays_bare_even_unlisted()
    {
        var named = Named(new HashSet<Address> { Usdc }, Token(Usdc, "USDC"), Token(SpamUsdc, "usdc"), Token(FooA, "FOO"));

        Assert.Equal(["USDC", "usdc·0xdeadbe", "FOO"], named.Select(a => a.Symbol));
    }

    [Fact]
    public void When_no_listed_asset_or_several_hold_a_symbol_none_keeps_it_bare()
    {
        var unlisted = Named(new HashSet<Address>(), Token(FooA, "FOO"), Token(FooB, "FOO"));
        Assert.Equal(["FOO·0xaaaaaa", "FOO·0xbbbbbb"], unlisted.Select(a => a.Symbol));

        var bothListed = Named(new HashSet<Address> { FooA, FooB }, Token(FooA, "FOO"), Token(FooB, "FOO"));
        Assert.Equal(["FOO·0xaaaaaa", "FOO·0xbbbbbb"], bothListed.Select(a => a.Symbol));
    }

    [Fact]
    public void A_name_that_still_clashes_after_suffixing_gets_the_whole_address()
    {
        // A token that calls itself by another's display name, and two addresses that share their first 6 hex digits.
        var twin = Address.Parse("0xdeadbeef00000000000000000000000000000002");
        var named = Named(new HashSet<Address> { Usdc }, Token(Usdc, "USDC"), Token(SpamUsdc, "USDC"), Token(twin, "USDC"), Token(FooA, "USDC·0xdeadbe"));

        Assert.Equal("USDC", named[0].Symbol);
        Assert.Equal($"USDC·{SpamUsdc}", named[1].Symbol);
        Assert.Equal($"USDC·{twin}", named[2].Symbol);
        Assert.Equal($"USDC·0xdeadbe·{FooA}", named[3].Symbol);
        Assert.Equal(named.Count, named.Select(a => a.Symbol.ToUpperInvariant()).Distinct().Count());
    }

    [Fact]
    public void A_shock_on_usdc_moves_only_the_listed_usdc_when_a_look_alike_is_present()
    {
        var snapshot = SnapshotOf(Named(new HashSet<Address> { Usdc, Weth }, Token(Usdc, "USDC"), Token(SpamUsdc, "USDC"), Token(Weth, "WETH")));

        var scenario = ScenarioParser.Parse(["USDC=-30%"], snapshot);

        Assert.Equal([Usdc], scenario.ShockedAssets());
        Assert.Equal([SpamUsdc], ScenarioParser.Parse([$"{SpamUsdc}=-30%"], snapshot).ShockedAssets()); // by address
        Assert.Equal([SpamUsdc], ScenarioParser.Parse(["usdc·0xDEADBE=-30%"], snapshot).ShockedAssets()); // by its display name
        Assert.Equal([Usdc], ScenarioParser.Parse([$"{Usdc.Value.ToUpperInvariant().Replace("0X", "0x")}=-30%"], snapshot).ShockedAssets());
    }

    [Fact]
    public void A_bare_symbol_shared_only_by_unlisted_assets_is_refused_listing_the_candidates()
    {
        var snapshot = SnapshotOf(Named(new HashSet<Address>(), Token(FooA, "FOO"), Token(FooB, "FOO")));

        var ex = Assert.Throws<DefiRiskException>(() => ScenarioParser.Parse(["FOO=-30%"], snapshot));

        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
        Assert.Equal($"asset 'FOO' is ambiguous: FOO·0xaaaaaa ({FooA}), FOO·0xbbbbbb ({FooB}); name one by its address", ex.Message);
        Assert.Equal(FooB, snapshot.FindAsset("foo·0xbbbbbb")!.Address);
        Assert.Null(snapshot.FindAsset("BAR"));
    }

    [Fact]
    public void An_older_snapshot_with_two_assets_under_one_name_is_ambiguous_not_first_come()
    {
        // Snapshots written before names were assigned can hold duplicates: the first row must not silently win.
        var snapshot = SnapshotOf([Token(Usdc, "USDC"), Token(SpamUsdc, "USDC")]);

        var ex = Assert.Throws<DefiRiskException>(() => snapshot.FindAsset("USDC"));

        Assert.Contains(Usdc.ToString(), ex.Message);
        Assert.Contains(SpamUsdc.ToString(), ex.Message);
    }
}
