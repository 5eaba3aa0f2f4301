using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Storage;

namespace DefiRisk.Storage.Tests.Protocols.AaveV3;

/// <summary>The 3.1+/3.3+/3.6 fields of an Aave market (deficits, grace periods, e-mode bitmaps) through the store.</summary>
public sealed class AaveV36StorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-storage-36-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The synthetic snapshot with its pool on revision 10 (3.6): deficits, a grace period and both bitmaps set.</summary>
    private static Snapshot Synthetic36()
    {
        var s = SnapshotStoreTests.Synthetic();
        var state = s.AaveV3Markets()[0];
        var m = state.Market;
        var reserves = m.Reserves.Select((r, i) => i switch
        {
            0 => r with { Deficit = FixedPoint.UInt256Max, LiquidationGracePeriodUntil = 1_700_000_123 },
            1 => r with { Deficit = 7 },
            _ => r,
        }).ToList();
        var usdc = m.Reserves[1].Asset;
        var wsteth = m.Reserves[2].Asset;
        var emodes = new List<AaveV3EModeCategory>
        {
            m.EModeCategories[0] with { BorrowableAssets = [usdc], LtvZeroAssets = [wsteth] },
            // Bitmaps read and empty: stored as empty lists, not as "no bitmap".
            m.EModeCategories[1] with { BorrowableAssets = [], LtvZeroAssets = [] },
        };
        var market = m with { PoolRevision = AaveV3Revision.V3_6, Reserves = reserves, EModeCategories = emodes };
        return s.WithAaveV3Markets([state with { Market = market }]);
    }

    [Fact]
    public void Deficits_grace_periods_and_e_mode_bitmaps_of_a_3_6_market_come_back_as_written()
    {
        var original = Synthetic36();
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load();

        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        var market = loaded.AaveV3Markets()[0].Market;
        Assert.Equal(FixedPoint.UInt256Max, market.Reserves[0].Deficit);
        Assert.Equal(1_700_000_123, market.Reserves[0].LiquidationGracePeriodUntil);
        Assert.Equal(new BigInteger(7), market.Reserves[1].Deficit);
        Assert.Equal(0, market.Reserves[1].LiquidationGracePeriodUntil);
        Assert.Equal([market.Reserves[1].Asset], market.EMode(1)!.BorrowableAssets!);
        Assert.True(market.EMode(1)!.IsLtvZero(market.Reserves[2].Asset));
        Assert.False(market.EMode(1)!.IsLtvZero(market.Reserves[1].Asset));
        Assert.Empty(market.EMode(2)!.BorrowableAssets!);
        Assert.Empty(market.EMode(2)!.LtvZeroAssets!);
    }

    [Fact]
    public void The_canonical_text_names_the_new_fields_only_when_a_market_has_them()
    {
        var text = SnapshotText.Canonical(Synthetic36());
        Assert.Contains($" deficit {FixedPoint.UInt256Max} grace-until 1700000123", text, StringComparison.Ordinal);
        Assert.Contains(" deficit 7\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(" borrowable [", text, StringComparison.Ordinal);
        Assert.Contains(" ltv-zero [", text, StringComparison.Ordinal);

        var old = SnapshotText.Canonical(SnapshotStoreTests.Synthetic());
        foreach (var word in new[] { " deficit ", " grace-until ", " borrowable ", " ltv-zero " })
            Assert.DoesNotContain(word, old, StringComparison.Ordinal);
    }

    [Fact]
    public void A_3_0_market_loads_without_bitmaps_and_with_zero_deficits()
    {
        new SnapshotStore(DbPath).Write(SnapshotStoreTests.Synthetic());
        var market = new SnapshotStore(DbPath).Load().AaveV3Markets()[0].Market;
        Assert.All(market.EModeCategories, e => Assert.Null(e.BorrowableAssets));
        Assert.All(market.EModeCategories, e => Assert.Null(e.LtvZeroAssets));
        Assert.All(market.Reserves, r => Assert.True(r.Deficit.IsZero && r.LiquidationGracePeriodUntil == 0));
    }
}
